#include "bootd/render/template_variables.h"

#include <array>

namespace rackboot::bootd::render {
namespace {

constexpr uint8_t kAll = kAllKinds;
constexpr uint8_t kLoader = static_cast<uint8_t>(TemplateKind::kLoader);
constexpr uint8_t kMenu = static_cast<uint8_t>(TemplateKind::kIpxeMenu);
using T = VariableType;

// Keep docs/templates.md in step with this table (same order).
constexpr std::array kVariables{
    TemplateVariable{"machine", T::kObject, kAll, "", "the Machine"},
    TemplateVariable{"machine.name", T::kString, kAll, "default/node-a01",
                     "Machine metadata: namespace/name (standalone without namespace: name)"},
    TemplateVariable{"machine.hostname", T::kString, kAll, "node-a01.lab.example.com",
                     "Machine spec.hostname, else metadata.name"},
    TemplateVariable{"machine.mac", T::kString, kAll, "52:54:00:12:34:01", "the MAC the request names"},
    TemplateVariable{"machine.mac_hex", T::kString, kAll, "52-54-00-12-34-01",
                     "the same MAC with dashes (bootd's URL form)"},
    TemplateVariable{"machine.ip", T::kString, kAll, "10.77.0.21",
                     "the interface's address (spec.interfaces[].ipv4 or the controller's rack pool), else the "
                     "address the request came from; empty when neither is known"},
    TemplateVariable{"machine.uuid", T::kString, kAll, "4c4c4544-0042-3510-8052-b4c04f565931",
                     "Machine spec.uuid (lower case; empty when unset)"},
    TemplateVariable{"machine.arch", T::kString, kAll, "x86_64", "Machine spec.architecture (empty when unset)"},
    TemplateVariable{"machine.firmware", T::kString, kAll, "uefi", "Machine spec.firmware (default auto)"},
    TemplateVariable{"machine.rack", T::kString, kAll, "rack-a", "Machine spec.rack (else bootd's rack)"},
    TemplateVariable{"params", T::kMap, kAll, "{{params.console}} -> ttyS1,115200",
                     "Machine spec.parameters over BootProfile spec.parameters[].default; a key neither sets is an "
                     "error (test for it with {{#params.x}}...{{/params.x}} or {{^params.x}}...{{/params.x}})"},
    TemplateVariable{"env", T::kMap, kAll, "{{env.nfs-server}} -> 10.77.0.5",
                     "bootd config http.environment (per rack); not known to the controller, checked at render"},
    TemplateVariable{"configs", T::kMap, kAll,
                     "{{configs.preseed}} -> http://10.77.0.1:8080/config/52-54-00-12-34-01/preseed?token=...",
                     "one URL per install config of the profile (user-data, meta-data, vendor-data, network-config, "
                     "kickstart, preseed), with a token bound to the client's address; only in files served over "
                     "HTTP (a GRUB/pxelinux config fetched over TFTP has none)"},
    TemplateVariable{"config_base", T::kString, kAll, "http://10.77.0.1:8080/config/52-54-00-12-34-01/t/TOKEN/",
                     "cloud-init nocloud-net seed URL (ds=nocloud-net;s={{config_base}}); HTTP only, as configs"},
    TemplateVariable{"profile", T::kString, kAll, "debian-12-install", "BootProfile metadata.name"},
    TemplateVariable{"public_url", T::kString, kAll, "http://10.77.0.1:8080", "bootd config http.publicUrl"},
    TemplateVariable{"booted_url", T::kString, kAll, "http://10.77.0.1:8080/booted/52-54-00-12-34-01",
                     "POST here from the installed system to report `booted`"},
    TemplateVariable{"kernel_url", T::kString, kLoader, "http://10.77.0.1:8080/boot/52-54-00-12-34-01/vmlinuz",
                     "BootProfile spec.kernel, as the loader fetches it (bootd path, upstream URL or cache URL)"},
    TemplateVariable{"cmdline", T::kString, kLoader, "console=ttyS1,115200 initrd=initrd.gz",
                     "BootProfile spec.cmdline rendered for this machine (iPXE: plus initrd=<name> per initrd)"},
    TemplateVariable{"initrds", T::kList, kLoader, "{{#initrds}}initrd --name {{name}} {{url}}{{/initrds}}",
                     "BootProfile spec.initrds[], in order"},
    TemplateVariable{"initrds.name", T::kString, kLoader, "initrd.gz", "image name (last path segment)"},
    TemplateVariable{"initrds.url", T::kString, kLoader, "http://10.77.0.1:8080/boot/52-54-00-12-34-01/initrd.gz",
                     "URL the loader fetches"},
    TemplateVariable{"initrd_list", T::kString, kLoader, "http://.../initrd.gz,http://.../extra.img",
                     "every initrd URL, comma-separated (pxelinux INITRD)"},
    TemplateVariable{"entries", T::kList, kMenu, "{{#entries}}item {{name}} {{label}}{{/entries}}",
                     "BootProfile spec.menu.entries[], in order"},
    TemplateVariable{"entries.name", T::kString, kMenu, "install", "entry name ([A-Za-z0-9_-], an iPXE label)"},
    TemplateVariable{"entries.entry_name", T::kString, kMenu, "install",
                     "the same; use it inside {{#initrds}}, where {{name}} is the initrd's"},
    TemplateVariable{"entries.label", T::kString, kMenu, "Install Debian 12", "entry label (else its name)"},
    TemplateVariable{"entries.action", T::kString, kMenu, "boot", "entry action: boot | localboot | shell"},
    TemplateVariable{"entries.is_boot", T::kBool, kMenu, "{{#is_boot}}kernel ...{{/is_boot}}", "action is boot"},
    TemplateVariable{"entries.is_localboot", T::kBool, kMenu, "{{#is_localboot}}exit{{/is_localboot}}",
                     "action is localboot"},
    TemplateVariable{"entries.is_shell", T::kBool, kMenu, "{{#is_shell}}shell{{/is_shell}}", "action is shell"},
    TemplateVariable{"entries.kernel_url", T::kString, kMenu, "as kernel_url", "boot entries: the profile's kernel"},
    TemplateVariable{"entries.cmdline", T::kString, kMenu, "as cmdline",
                     "boot entries: the entry's cmdline (else the profile's), rendered"},
    TemplateVariable{"entries.initrds", T::kList, kMenu, "as initrds", "boot entries: the profile's initrds"},
    TemplateVariable{"entries.initrds.name", T::kString, kMenu, "initrd.gz", "as initrds.name"},
    TemplateVariable{"entries.initrds.url", T::kString, kMenu, "http://...", "as initrds.url"},
    TemplateVariable{"entries.initrds.entry_name", T::kString, kMenu, "install", "the entry's name"},
    TemplateVariable{"entries.initrd_list", T::kString, kMenu, "as initrd_list", "boot entries: as initrd_list"},
    TemplateVariable{"menu_default", T::kString, kMenu, "install", "BootProfile spec.menu.default (else the first)"},
    TemplateVariable{"menu_timeout_ms", T::kString, kMenu, "10000",
                     "BootProfile spec.menu.timeoutSeconds in milliseconds (iPXE choose --timeout)"},
};

struct Suggestion {
  std::string_view name;
  std::string_view use;
};
// camelCase names from Tinkerbell/matchbox-style templates (and this
// project's old examples) -> the name rackboot provides.
constexpr std::array kSuggestions{
    Suggestion{"hostname", "machine.hostname"},
    Suggestion{"machineName", "machine.name"},
    Suggestion{"name", "machine.name"},
    Suggestion{"mac", "machine.mac"},
    Suggestion{"ip", "machine.ip"},
    Suggestion{"uuid", "machine.uuid"},
    Suggestion{"bootedUrl", "booted_url"},
    Suggestion{"kernelUrl", "kernel_url"},
    Suggestion{"initrdUrl", "{{#initrds}}{{url}}{{/initrds}}"},
    Suggestion{"installConfigUrl", "configs.<name> or config_base"},
    Suggestion{"publicUrl", "public_url"},
};

}  // namespace

std::span<const TemplateVariable> TemplateVariables() {
  return kVariables;
}

const TemplateVariable* FindTemplateVariable(std::string_view path) {
  for (const TemplateVariable& v : kVariables) {
    if (v.name == path) return &v;
  }
  const size_t dot = path.find('.');
  if (dot == std::string_view::npos) return nullptr;
  const TemplateVariable* head = FindTemplateVariable(path.substr(0, dot));
  return head != nullptr && head->type == VariableType::kMap ? head : nullptr;
}

std::optional<std::string_view> SuggestTemplateVariable(std::string_view name) {
  for (const Suggestion& s : kSuggestions) {
    if (s.name == name) return s.use;
  }
  return std::nullopt;
}

const char* TemplateKindName(TemplateKind kind) {
  switch (kind) {
    case TemplateKind::kCmdline: return "command line";
    case TemplateKind::kLoader: return "boot loader script";
    case TemplateKind::kIpxeMenu: return "iPXE menu";
    case TemplateKind::kInstallConfig: return "install config";
  }
  return "template";
}

}  // namespace rackboot::bootd::render
