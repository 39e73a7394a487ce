#include "bootd/render/machine_scripts.h"

#include <initializer_list>
#include <set>
#include <vector>

#include "bootd/mac_in_url.h"

namespace rackboot::bootd::render {

namespace {

// iPXE retries no fetch by itself: a 503 (a client past bootd's per-client
// connection limit) or a connection dropped mid-transfer fails `kernel` or
// `initrd` and with it the boot. So the built-in scripts loop as OpenStack
// Ironic's templates do: free what was loaded, wait 1, 2, 3... s and fetch
// again, at most kIpxeFetchAttempts times, then give up as before. No
// `--timeout`: it bounds a whole download, and a rack's storm over 1 GbE
// can take minutes for the initrds alone. `prefix` makes the labels unique
// per menu entry ('.' cannot occur in an entry name; {{entry_name}}, since
// {{name}} inside {{#initrds}} is the initrd's); the fetch lines follow
// the returned text, at the label <prefix>fetch.
std::string IpxeFetchRetry(const std::string& prefix, const std::string& give_up) {
  const std::string retries = std::to_string(kIpxeFetchAttempts - 1);
  std::string text;
  for (const std::string& line : std::initializer_list<std::string>{
           "set rackboot-try:int32 0",
           "goto " + prefix + "fetch",
           ":" + prefix + "retry",
           "imgfree",
           "iseq ${rackboot-try} " + retries + " && goto " + prefix + "give-up ||",
           "inc rackboot-try",
           "echo rackboot: fetch failed (${errno}), retry ${rackboot-try} of " + retries + " in ${rackboot-try} s",
           "sleep ${rackboot-try}",
           "goto " + prefix + "fetch",
           ":" + prefix + "give-up",
           "echo rackboot: giving up after " + std::to_string(kIpxeFetchAttempts) + " attempts",
           give_up,
           ":" + prefix + "fetch",
       }) {
    text += line + "\n";
  }
  return text;
}

}  // namespace

const std::string kDefaultIpxeTemplate =
    "#!ipxe\n"
    "echo rackboot: {{machine.name}} {{machine.mac}} profile {{profile}}\n" +
    IpxeFetchRetry("rackboot.", "exit 1") +
    "kernel {{kernel_url}} {{cmdline}} || goto rackboot.retry\n"
    "{{#initrds}}\n"
    "initrd --name {{name}} {{url}} || goto rackboot.retry\n"
    "{{/initrds}}\n"
    "boot\n";

// AutoPXE-style menu (seed 000): entries, default, timeout, and a shell
// entry that returns to the menu. An entry whose fetches keep failing, or
// whose boot fails, returns to the menu too.
// localboot leaves iPXE for the disk: on UEFI `exit` hands control back to
// the firmware's boot manager, which tries the next boot option (the disk);
// `sanboot --drive 0x80` is BIOS-only (INT 13h drive numbers) but boots the
// first disk directly on BIOSes that hang instead of falling through on
// `exit`; if it fails (no disk), `exit` is the last resort there too.
const std::string kDefaultIpxeMenuTemplate =
    "#!ipxe\n"
    ":start\n"
    "menu rackboot {{machine.name}} {{machine.mac}} {{machine.ip}}\n"
    "{{#entries}}\n"
    "item {{name}} {{label}}\n"
    "{{/entries}}\n"
    "item --gap\n"
    "item rackboot.shell iPXE shell\n"
    "choose --default {{menu_default}} --timeout {{menu_timeout_ms}} target && goto ${target} || goto rackboot.shell\n"
    "{{#entries}}\n"
    ":{{name}}\n"
    "{{#is_boot}}\n" +
    IpxeFetchRetry("{{entry_name}}.", "goto start") +
    "kernel {{kernel_url}} {{cmdline}} || goto {{entry_name}}.retry\n"
    "{{#initrds}}\n"
    "initrd --name {{name}} {{url}} || goto {{entry_name}}.retry\n"
    "{{/initrds}}\n"
    "boot || goto start\n"
    "{{/is_boot}}\n"
    "{{#is_localboot}}\n"
    "echo rackboot: booting from the local disk\n"
    "iseq ${platform} efi && exit ||\n"
    "sanboot --no-describe --drive 0x80 || exit\n"
    "{{/is_localboot}}\n"
    "{{#is_shell}}\n"
    "goto rackboot.shell\n"
    "{{/is_shell}}\n"
    "{{/entries}}\n"
    ":rackboot.shell\n"
    "echo Type 'exit' to get back to the menu\n"
    "shell\n"
    "goto start\n";

const char* const kDefaultGrubTemplate =
    "set default=0\n"
    "set timeout=0\n"
    "menuentry 'rackboot {{machine.name}} {{profile}}' {\n"
    "  linux {{kernel_url}} {{cmdline}}\n"
    "  initrd{{#initrds}} {{url}}{{/initrds}}\n"
    "}\n";

const char* const kDefaultPxelinuxTemplate =
    "DEFAULT rackboot\n"
    "PROMPT 0\n"
    "TIMEOUT 0\n"
    "LABEL rackboot\n"
    "  KERNEL {{kernel_url}}\n"
    "  INITRD {{initrd_list}}\n"
    "  APPEND {{cmdline}}\n";

namespace {

enum class Loader { kIpxe, kGrub, kPxelinux };

TargetLanguage LanguageOf(Loader l) {
  return l == Loader::kIpxe   ? TargetLanguage::kIpxe
         : l == Loader::kGrub ? TargetLanguage::kGrub
                              : TargetLanguage::kPxelinux;
}

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// URL of an artifact as the loader must fetch it. Relative artifacts are
// served by bootd under /boot/<mac>/ so the fetch is recorded per machine;
// absolute URLs are used as they are (the lab's iPXE has no HTTPS).
Result<std::string> ArtifactUrl(const BootArtifact& art, const ScriptRequest& req, Loader loader) {
  std::string url;
  const bool upstream = StartsWith(art.url, "http://") || StartsWith(art.url, "https://");
  if (upstream && req.upstream_via_cache && !art.sha256.empty()) {
    // The last path segment survives as the image name (see ImageName).
    std::string base = art.url.substr(0, art.url.find_first_of("?#"));
    base = base.substr(base.find_last_of('/') + 1);
    if (base.empty() || base.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
                            std::string::npos) {
      base = "artifact";
    }
    url = req.public_url + "/cached/" + MacInUrl(req.mac) + "/" + art.sha256 + "/" + base;
  } else if (StartsWith(art.url, "http://")) {
    url = art.url;
  } else if (StartsWith(art.url, "https://")) {
    if (loader == Loader::kIpxe) return Error{"artifact " + art.url + " is https, which this iPXE cannot fetch"};
    url = art.url;
  } else {
    std::string path = art.url;
    while (!path.empty() && path.front() == '/') path.erase(path.begin());
    if (path.empty()) return Error{"artifact has an empty path"};
    url = req.public_url + "/boot/" + MacInUrl(req.mac) + "/" + path;
  }
  if (loader == Loader::kGrub) {
    // GRUB's network syntax: (http,host[:port])/path.
    const size_t scheme = url.find("://");
    const size_t slash = url.find('/', scheme + 3);
    if (slash == std::string::npos) return Error{"artifact URL has no path: " + url};
    url = "(" + url.substr(0, scheme) + "," + url.substr(scheme + 3, slash - scheme - 3) + ")" + url.substr(slash);
  }
  return url;
}

// iPXE names an image after the last path segment; UEFI kernels find their
// initrds by that name (initrd=<name>, PXE lab facts).
std::string ImageName(const std::string& url, size_t index, std::set<std::string>* used) {
  std::string base = url.substr(0, url.find('?'));
  base = base.substr(base.rfind('/') + 1);
  std::string name;
  for (char c : base) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
        c == '-') {
      name.push_back(c);
    }
  }
  if (name.empty() || name.size() > 64 || used->count(name)) name = "initrd" + std::to_string(index);
  used->insert(name);
  return name;
}

struct Boot {
  std::string kernel_url;
  TemplateList initrds;
  std::vector<std::string> initrd_urls;
  std::string cmdline;
};

// Names the template in an error as the operator wrote it:
// "BootProfile debian-12-install: spec.cmdline uses unknown variable ...".
Error InTemplate(const Assignment& a, const std::string& field, const Error& e) {
  return Error{"BootProfile " + a.boot.profile_name + ": " + field + " " + e.message};
}

Result<Boot> ResolveBoot(const Assignment& a, const BootArtifact& kernel, const std::vector<BootArtifact>& initrds,
                         const std::string& cmdline_template, const std::string& cmdline_field,
                         const TemplateData& vars, const ScriptRequest& req, Loader loader) {
  Boot b;
  if (kernel.url.empty()) return Error{"profile has no kernel"};
  auto kurl = ArtifactUrl(kernel, req, loader);
  if (!kurl.ok()) return kurl.error();
  b.kernel_url = *kurl;
  auto cmdline = RenderTemplate(cmdline_template, vars, LanguageOf(loader));
  if (!cmdline.ok()) return InTemplate(a, cmdline_field, cmdline.error());
  b.cmdline = *cmdline;
  if (b.cmdline.find_first_of("\r\n") != std::string::npos) return Error{"cmdline renders to more than one line"};
  std::set<std::string> used;
  for (size_t i = 0; i < initrds.size(); ++i) {
    auto url = ArtifactUrl(initrds[i], req, loader);
    if (!url.ok()) return url.error();
    const std::string name = ImageName(*url, i, &used);
    TemplateData item;
    item.set("name", name);
    item.set("url", *url);
    b.initrds.push_back(item);
    b.initrd_urls.push_back(*url);
    if (loader == Loader::kIpxe) b.cmdline += (b.cmdline.empty() ? "" : " ") + std::string("initrd=") + name;
  }
  return b;
}

void SetBoot(TemplateData* d, const Boot& b) {
  d->set("kernel_url", b.kernel_url);
  d->set("initrds", b.initrds);
  d->set("cmdline", b.cmdline);
  std::string list;
  for (const auto& u : b.initrd_urls) list += (list.empty() ? "" : ",") + u;
  d->set("initrd_list", list);
}

Result<std::string> RenderLoader(const Assignment& a, const ScriptRequest& req, Loader loader) {
  TemplateData vars = MachineVariables(a, req);
  const BootTarget& t = a.boot;
  std::set<std::string> trusted;  // command lines rendered from operator templates
  std::string tmpl;
  std::string field;  // where tmpl comes from, for errors
  if (loader == Loader::kIpxe && !t.menu.empty()) {
    TemplateList entries;
    for (const MenuEntry& e : t.menu) {
      // Entry names are iPXE labels; the built-in ones (start,
      // rackboot.shell, <entry>.retry...) cannot clash with [A-Za-z0-9_-].
      if (e.name.empty() || e.name == "start" ||
          e.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
              std::string::npos) {
        return Error{"menu entry name '" + e.name + "' must be [A-Za-z0-9_-] and not start"};
      }
      if (e.action != "boot" && e.action != "localboot" && e.action != "shell") {
        return Error{"menu entry " + e.name + ": action '" + e.action + "' is not boot, localboot or shell"};
      }
      TemplateData entry;
      entry.set("name", e.name);
      entry.set("entry_name", e.name);
      entry.set("label", e.label.empty() ? e.name : e.label);
      entry.set("action", e.action);
      entry.set("is_boot", TemplateData(e.action == "boot"));
      entry.set("is_localboot", TemplateData(e.action == "localboot"));
      entry.set("is_shell", TemplateData(e.action == "shell"));
      if (e.action != "boot") {  // nothing to fetch
        entries.push_back(entry);
        continue;
      }
      // An entry's own parameters (boot-tree menus) override the machine's;
      // they are escaped like every other value.
      TemplateData entry_vars = vars;
      if (!e.parameters.empty()) {
        Assignment with = a;
        for (const auto& [k, v] : e.parameters) with.parameters[k] = v;
        entry_vars = MachineVariables(with, req);
      }
      auto boot = ResolveBoot(a, e.kernel, e.initrds, e.cmdline_template, "spec.menu.entries[" + e.name + "].cmdline",
                              entry_vars, req, loader);
      if (!boot.ok()) return Error{"menu entry " + e.name + ": " + boot.error().message};
      // kainjow's lookup inside {{#initrds}} does not reach the entry's
      // entry_name (the test renders it), so each initrd carries it too.
      Boot with_names = *boot;
      for (TemplateData& item : with_names.initrds) item.set("entry_name", e.name);
      SetBoot(&entry, with_names);
      trusted.insert(boot->cmdline);
      entries.push_back(entry);
    }
    vars.set("entries", entries);
    vars.set("menu_default", t.menu_default.empty() ? t.menu.front().name : t.menu_default);
    vars.set("menu_timeout_ms", std::to_string(static_cast<int64_t>(t.menu_timeout_seconds) * 1000));
    tmpl = t.ipxe_template.empty() ? kDefaultIpxeMenuTemplate : t.ipxe_template;
    field = t.ipxe_template.empty() ? "built-in iPXE menu" : "spec.templates.ipxe";
  } else {
    auto boot = ResolveBoot(a, t.kernel, t.initrds, t.cmdline_template, "spec.cmdline", vars, req, loader);
    if (!boot.ok()) return boot.error();
    SetBoot(&vars, *boot);
    trusted.insert(boot->cmdline);
    const std::string* custom = loader == Loader::kIpxe   ? &t.ipxe_template
                                : loader == Loader::kGrub ? &t.grub_template
                                                          : &t.pxelinux_template;
    const char* kind = loader == Loader::kIpxe ? "ipxe" : loader == Loader::kGrub ? "grub" : "pxelinux";
    tmpl = !custom->empty()          ? *custom
           : loader == Loader::kIpxe ? kDefaultIpxeTemplate
           : loader == Loader::kGrub ? std::string(kDefaultGrubTemplate)
                                     : std::string(kDefaultPxelinuxTemplate);
    field = custom->empty() ? std::string("built-in ") + kind + " template" : std::string("spec.templates.") + kind;
  }
  if (loader == Loader::kIpxe && !StartsWith(tmpl, "#!ipxe")) return Error{"iPXE template must start with #!ipxe"};
  auto out = RenderTemplate(tmpl, vars, LanguageOf(loader), &trusted);
  if (!out.ok()) return InTemplate(a, field, out.error());
  return out;
}

}  // namespace

TemplateData MachineVariables(const Assignment& a, const ScriptRequest& req) {
  TemplateData machine;
  machine.set("name", a.machine_name);
  machine.set("hostname", a.hostname);
  machine.set("mac", req.mac.ToString(':'));
  machine.set("mac_hex", req.mac.ToString('-'));
  std::string ip;
  if (const InterfaceAssignment* iface = a.FindInterface(req.mac); iface != nullptr && iface->ipv4) {
    ip = iface->ipv4->ToString();
  } else if (req.client_ip) {
    ip = req.client_ip->ToString();
  }
  machine.set("ip", ip);
  machine.set("uuid", a.uuid);
  machine.set("arch", a.architecture);
  machine.set("firmware", a.firmware);
  machine.set("rack", a.rack.empty() ? req.rack : a.rack);
  TemplateData vars;
  vars.set("machine", machine);
  TemplateData params;
  for (const auto& [k, v] : a.parameters) params.set(k, v);
  vars.set("params", params);
  TemplateData env;
  for (const auto& [k, v] : req.environment) env.set(k, v);
  vars.set("env", env);
  vars.set("profile", a.boot.profile_name);
  vars.set("public_url", req.public_url);
  const std::string mac = MacInUrl(req.mac);
  vars.set("booted_url", req.public_url + "/booted/" + mac);
  TemplateData configs;
  if (!req.config_token.empty()) {
    for (const auto& [name, unused] : a.boot.install_configs) {
      configs.set(name, req.public_url + "/config/" + mac + "/" + name + "?token=" + req.config_token);
    }
    // cloud-init's nocloud-net appends file names to its seed URL, so the
    // token travels in the path there.
    vars.set("config_base", req.public_url + "/config/" + mac + "/t/" + req.config_token + "/");
  }
  vars.set("configs", configs);
  return vars;
}

Result<std::string> RenderIpxeScript(const Assignment& a, const ScriptRequest& req) {
  return RenderLoader(a, req, Loader::kIpxe);
}
Result<std::string> RenderGrubConfig(const Assignment& a, const ScriptRequest& req) {
  return RenderLoader(a, req, Loader::kGrub);
}
Result<std::string> RenderPxelinuxConfig(const Assignment& a, const ScriptRequest& req) {
  return RenderLoader(a, req, Loader::kPxelinux);
}

TargetLanguage InstallConfigLanguage(const std::string& name) {
  if (name == "user-data" || name == "meta-data" || name == "vendor-data" || name == "network-config" ||
      name.ends_with(".yaml") || name.ends_with(".yml")) {
    return TargetLanguage::kYaml;
  }
  if (name.ends_with(".ks") || name.find("kickstart") != std::string::npos || name == "ks.cfg") {
    return TargetLanguage::kKickstart;
  }
  if (name.find("preseed") != std::string::npos) return TargetLanguage::kPreseed;
  return TargetLanguage::kText;
}

Result<std::string> RenderInstallConfig(const Assignment& a, const ScriptRequest& req, const std::string& name) {
  auto it = a.boot.install_configs.find(name);
  if (it == a.boot.install_configs.end()) return Error{"no install config named " + name};
  // Install configs are served only with the machine's token (unless an
  // operator made a non-secret one public, see NeedsConfigToken), so they are
  // the one place secret parameters are rendered into.
  TemplateData vars;
  if (a.secret_parameters.empty()) {
    vars = MachineVariables(a, req);
  } else {
    Assignment with = a;
    for (const auto& [k, v] : a.secret_parameters) with.parameters[k] = v;
    vars = MachineVariables(with, req);
  }
  auto out = RenderTemplate(it->second, vars, InstallConfigLanguage(name));
  if (out.ok()) return out;
  // A renderer error may quote the template, and a template from a Secret is
  // secret: say only which config failed.
  if (a.boot.secret_install_configs.count(name) || !a.secret_parameters.empty()) {
    return Error{"install config " + name + " (secret) could not be rendered"};
  }
  return InTemplate(a, InstallConfigField(name), out.error());
}

bool NeedsConfigToken(const Assignment& a, const std::string& name, bool listed_public) {
  return !listed_public || a.boot.secret_install_configs.count(name) > 0 || !a.secret_parameters.empty();
}

std::string InstallConfigField(const std::string& name) {
  if (name == "user-data") return "spec.install.cloudInit.userData";
  if (name == "meta-data") return "spec.install.cloudInit.metaData";
  if (name == "vendor-data") return "spec.install.cloudInit.vendorData";
  if (name == "network-config") return "spec.install.cloudInit.networkConfig";
  if (name == "kickstart" || name == "preseed") return "spec.install." + name;
  return "install config " + name;
}

std::string DiscoveryIpxeScript(const MacAddress& mac, const std::string& rack) {
  // Both inputs are parsed or configured values (a MAC, the rack name from
  // bootd's own config), yet the rack name is still checked before use.
  std::string safe_rack = rack;
  if (!EscapeValue(TargetLanguage::kIpxe, rack).ok()) safe_rack = "(unnamed)";
  return "#!ipxe\n"
         "echo rackboot: no machine with MAC " +
         mac.ToString(':') + " is registered on rack " + safe_rack +
         "\n"
         "echo rackboot: create a Machine with this MAC, then reboot. Continuing with the next boot device.\n"
         "exit\n";
}

std::string NetbootOffIpxeScript(const MacAddress& mac, const std::string& machine_name) {
  // The name comes from a manifest or the API server; left out when iPXE
  // could misread it.
  const std::string name = EscapeValue(TargetLanguage::kIpxe, machine_name).ok() ? " (" + machine_name + ")" : "";
  return "#!ipxe\n"
         "echo rackboot: netboot is off for MAC " +
         mac.ToString(':') + name +
         "; see the Machine's NetbootEnabled condition. Continuing with the next boot device.\n"
         "exit\n";
}

}  // namespace rackboot::bootd::render
