#include "bootd/standalone/manifest.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>

#include "common/net_address.h"

namespace rackboot::bootd::standalone {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Character-class checks for the CRD's patterns (std::regex is slow and
// trips GCC 12 warnings under the sanitizers).
bool AllOf(const std::string& s, const char* allowed) {
  return s.find_first_not_of(allowed) == std::string::npos;
}
constexpr const char* kAlnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool IsDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  if (s.front() == '-' || s.back() == '-') return false;
  return AllOf(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
}

bool IsDnsSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    if (!IsDnsLabel(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// [A-Za-z_][A-Za-z0-9_]{0,62}
bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > 63 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return AllOf(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
}

// [A-Za-z0-9._(+)-][A-Za-z0-9._(+)/-]*
bool IsRelativePath(const std::string& s, bool allow_plus) {
  if (s.empty() || s[0] == '/') return false;
  std::string allowed = std::string(kAlnum) + "._-/" + (allow_plus ? "+" : "");
  return AllOf(s, allowed.c_str());
}

bool IsLowerHex(const std::string& s, size_t size) {
  return s.size() == size && AllOf(s, "0123456789abcdef");
}

bool IsUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsHttpUrl(const std::string& s) {
  size_t scheme = s.rfind("http://", 0) == 0 ? 7 : s.rfind("https://", 0) == 0 ? 8 : 0;
  if (scheme == 0 || s.size() == scheme || s.size() > 2048) return false;
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) || c < 0x20; });
}

// <arch> or <arch>-<firmware>
bool IsClientClassKey(const std::string& s) {
  std::string arch = s.substr(0, s.find('-'));
  bool arch_ok = arch == "x86_64" || arch == "arm64" || arch == "i386" || arch == "riscv64";
  if (!arch_ok) return false;
  if (arch.size() == s.size()) return true;
  std::string fw = s.substr(arch.size() + 1);
  return fw == "bios" || fw == "uefi";
}

int LineOf(const YAML::Node& n) {
  return n.Mark().is_null() ? 0 : n.Mark().line + 1;
}

// metadata: name is required; the rest of Kubernetes' ObjectMeta (labels,
// annotations, ...) is accepted and ignored, as the API server would keep it.
void ReadMetadata(const YamlMap& object, std::string* name, std::string* ns,
                  std::map<std::string, std::string>* annotations, int64_t* generation = nullptr) {
  YamlMap meta = object.Map("metadata");
  *name = meta.String("name");
  // RFC 1123 subdomain, as Kubernetes requires for object names.
  if (!IsDnsSubdomain(*name)) {
    meta.Fail("name", "must be a lower-case RFC 1123 name (got \"" + *name + "\")");
  }
  *ns = meta.String("namespace", "");
  // Set by the API server; a file exported with `kubectl get -o yaml` has it.
  const int64_t gen = meta.Int("generation", 0, INT64_MAX, 0);
  if (generation != nullptr) *generation = gen;
  for (auto& [k, v] : meta.StringMap("annotations")) (*annotations)[k] = v;
  for (const char* bool_key : {kDefaultProfileAnnotation, kBootTreeMenuAnnotation}) {
    auto it = annotations->find(bool_key);
    if (it != annotations->end() && it->second != "true" && it->second != "false") {
      meta.Fail("annotations", std::string(bool_key) + " must be \"true\" or \"false\"");
    }
  }
}

// kernel / initrds[i]: exactly one of url or path, optional sha256.
resolve::ProfileArtifact ReadArtifact(const YamlMap& m) {
  resolve::ProfileArtifact a;
  auto url = m.OptionalString("url");
  auto path = m.OptionalString("path");
  if (url.has_value() == path.has_value()) m.Fail(url ? "path" : "url", "exactly one of url or path must be set");
  if (url) {
    if (!IsHttpUrl(*url)) m.Fail("url", "must be an http:// or https:// URL");
    a.url = *url;
  } else {
    if (!IsRelativePath(*path, true)) {
      m.Fail("path", "must be a relative path under the artifact root");
    }
    std::string segment;
    for (size_t i = 0; i <= path->size(); ++i) {
      if (i == path->size() || (*path)[i] == '/') {
        if (segment == "..") m.Fail("path", "path must stay under the artifact root ('..' is not allowed)");
        segment.clear();
      } else {
        segment += (*path)[i];
      }
    }
    a.path = *path;
  }
  a.sha256 = m.String("sha256", "");
  if (!a.sha256.empty() && !IsLowerHex(a.sha256, 64)) {
    m.Fail("sha256", "must be 64 lower-case hex digits");
  }
  m.RejectUnknownFields();
  return a;
}

// A {name, key} reference to a Secret in the same namespace.
resolve::SecretKeyRef ReadSecretRef(const YamlMap& r) {
  resolve::SecretKeyRef ref{r.String("name"), r.String("key")};
  if (!IsDnsSubdomain(ref.name)) r.Fail("name", "must be the name of a Secret (a lower-case RFC 1123 name)");
  if (ref.key.empty() || !AllOf(ref.key, (std::string(kAlnum) + "-._").c_str())) {
    r.Fail("key", "must be a Secret data key ([-._a-zA-Z0-9]+)");
  }
  r.RejectUnknownFields();
  return ref;
}

// An install file as inline text `field` or `field`SecretRef; at most one
// (exactly one when `required`), the CRD's rule.
void ReadInstallText(const YamlMap& m, const std::string& field, bool required, std::optional<std::string>* text,
                     std::optional<resolve::SecretKeyRef>* ref) {
  *text = m.OptionalString(field);
  if (auto r = m.OptionalMap(field + "SecretRef")) *ref = ReadSecretRef(*r);
  if (*text && *ref) m.Fail(field + "SecretRef", "set " + field + " or " + field + "SecretRef, not both");
  if (required && !*text && !*ref) m.Fail(field, "set " + field + " or " + field + "SecretRef");
}

void CheckKindAndVersion(const YamlMap& object, const char* kind) {
  std::string api = object.String("apiVersion");
  if (api != kApiVersion) object.Fail("apiVersion", std::string("must be ") + kApiVersion + " (got \"" + api + "\")");
  if (object.String("kind") != kind) object.Fail("kind", std::string("must be ") + kind);
  object.Has("status");  // written by the controller; accepted and ignored here
}

}  // namespace

MachineManifest ParseMachine(const YamlMap& object) {
  CheckKindAndVersion(object, "Machine");
  MachineManifest m;
  m.origin = {object.file(), LineOf(object.node())};
  ReadMetadata(object, &m.name, &m.namespace_, &m.annotations, &m.generation);
  YamlMap spec = object.Map("spec");
  m.rack = spec.String("rack");
  if (!IsDnsLabel(m.rack)) spec.Fail("rack", "must be a DNS label");
  std::set<MacAddress> macs;
  bool have_primary = false;
  for (const YamlMap& i : spec.MapList("interfaces")) {
    resolve::MachineInterface ia;
    ia.name = i.String("name", "");
    std::string mac_text = i.String("mac");
    auto mac = MacAddress::Parse(mac_text);
    if (!mac) i.Fail("mac", "must be a MAC address aa:bb:cc:dd:ee:ff (got \"" + mac_text + "\")");
    if (!macs.insert(*mac).second) i.Fail("mac", "appears twice in this machine");
    ia.mac = mac_text;
    if (auto ip = i.OptionalString("ipv4")) {
      if (!Ipv4Address::Parse(*ip)) i.Fail("ipv4", "must be a dotted-quad IPv4 address (got \"" + *ip + "\")");
      ia.ipv4 = *ip;
    }
    ia.primary = i.Bool("primary", false);
    if (ia.primary && have_primary) i.Fail("primary", "only one interface can be primary");
    have_primary = have_primary || ia.primary;
    i.RejectUnknownFields();
    m.interfaces.push_back(ia);
  }
  // Without an explicit primary the first interface boots (CRD description).
  if (!have_primary && !m.interfaces.empty()) m.interfaces.front().primary = true;
  m.uuid = Lower(spec.String("uuid", ""));
  if (!m.uuid.empty() && !IsUuid(m.uuid)) {
    spec.Fail("uuid", "must be a UUID like 4c4c4544-0042-3510-8052-b4c04f565931");
  }
  if (m.uuid == "00000000-0000-0000-0000-000000000000") {
    spec.Fail("uuid", "the all-zero UUID is what firmware sends when it has none; it cannot identify a machine");
  }
  if (m.interfaces.empty() && m.uuid.empty()) spec.Fail("interfaces", "set at least one interface or a uuid");
  m.hostname = spec.String("hostname", m.name);
  m.architecture = spec.Enum("architecture", {"x86_64", "arm64", "i386", "riscv64"}, "");
  m.firmware = spec.Enum("firmware", {"bios", "uefi", "auto"}, "auto");
  if (auto ref = spec.OptionalMap("bootProfileRef")) {
    m.boot_profile = ref->String("name");
    ref->RejectUnknownFields();
  }
  if (auto nb = spec.OptionalMap("netboot")) {
    m.allow_pxe = nb->Bool("allowPXE", true);
    m.boot_once = nb->Bool("bootOnce", false);
    nb->RejectUnknownFields();
  }
  for (auto& [k, v] : spec.StringMap("parameters")) {
    if (!IsIdentifier(k)) spec.Fail("parameters", "parameter name '" + k + "' is invalid");
    m.parameters[k] = v;
  }
  if (auto secret_params = spec.OptionalMap("secretParameters")) {
    for (auto it = secret_params->node().begin(); it != secret_params->node().end(); ++it) {
      const std::string k = it->first.Scalar();
      if (!IsIdentifier(k)) spec.Fail("secretParameters", "parameter name '" + k + "' is invalid");
      if (m.parameters.count(k)) {
        spec.Fail("secretParameters", "parameter '" + k + "' is set in both parameters and secretParameters");
      }
      m.secret_parameters[k] = ReadSecretRef(secret_params->Map(k));
    }
  }
  for (auto& [k, v] : spec.StringMap("bootFileOverrides")) {
    if (!IsClientClassKey(k)) {
      spec.Fail("bootFileOverrides", "key '" + k + "' must be <arch> or <arch>-<firmware>");
    }
    if (!IsRelativePath(v, false)) {
      spec.Fail("bootFileOverrides", "file '" + v + "' must be a relative file name");
    }
    m.boot_file_overrides[k] = v;
  }
  spec.RejectUnknownFields();
  object.RejectUnknownFields();
  return m;
}

BootProfileManifest ParseBootProfile(const YamlMap& object) {
  CheckKindAndVersion(object, "BootProfile");
  BootProfileManifest p;
  p.origin = {object.file(), LineOf(object.node())};
  ReadMetadata(object, &p.name, &p.namespace_, &p.annotations);
  YamlMap spec = object.Map("spec");
  p.kernel = ReadArtifact(spec.Map("kernel"));
  for (const YamlMap& i : spec.MapList("initrds")) p.initrds.push_back(ReadArtifact(i));
  p.cmdline = spec.String("cmdline", "");
  bool has_templates = false;
  if (auto t = spec.OptionalMap("templates")) {
    p.ipxe_template = t->String("ipxe", "");
    p.grub_template = t->String("grub", "");
    p.pxelinux_template = t->String("pxelinux", "");
    if (!p.ipxe_template.empty() && p.ipxe_template.rfind("#!ipxe", 0) != 0) {
      t->Fail("ipxe", "an iPXE script must start with '#!ipxe'");
    }
    t->RejectUnknownFields();
    has_templates = true;
  }
  if (auto menu = spec.OptionalMap("menu")) {
    std::set<std::string> names;
    for (const YamlMap& e : menu->MapList("entries")) {
      ProfileMenuEntry entry;
      entry.name = e.String("name");
      if (!IsDnsLabel(entry.name)) e.Fail("name", "must be a lower-case DNS label");
      if (!names.insert(entry.name).second) e.Fail("name", "appears twice in the menu");
      entry.label = e.String("label");
      entry.action = e.Enum("action", {"boot", "localboot", "shell"}, "boot");
      entry.cmdline = e.OptionalString("cmdline");
      if (entry.cmdline && entry.action != "boot") e.Fail("cmdline", "only entries with action boot take a cmdline");
      e.RejectUnknownFields();
      p.menu.push_back(entry);
    }
    if (p.menu.empty()) menu->Fail("entries", "a menu needs at least one entry");
    p.menu_default = menu->String("default", "");
    if (!p.menu_default.empty() && !names.count(p.menu_default)) {
      menu->Fail("default", "menu.default must name one of menu.entries");
    }
    p.menu_timeout_seconds = static_cast<int>(menu->Int("timeoutSeconds", 0, 3600, 10));
    if (p.menu_timeout_seconds != 0 && p.menu_default.empty()) {
      menu->Fail("timeoutSeconds", "a menu with a timeout needs a default entry");
    }
    menu->RejectUnknownFields();
  }
  if (p.cmdline.empty() && !has_templates && p.menu.empty()) {
    spec.Fail("cmdline", "set cmdline, a boot-loader template or a menu; otherwise there is nothing to boot with");
  }
  if (auto install = spec.OptionalMap("install")) {
    if (auto ci = install->OptionalMap("cloudInit")) {
      resolve::CloudInitConfig c;
      std::optional<std::string> user_data;
      ReadInstallText(*ci, "userData", true, &user_data, &c.user_data_secret);
      c.user_data = user_data.value_or("");
      ReadInstallText(*ci, "metaData", false, &c.meta_data, &c.meta_data_secret);
      ReadInstallText(*ci, "vendorData", false, &c.vendor_data, &c.vendor_data_secret);
      ReadInstallText(*ci, "networkConfig", false, &c.network_config, &c.network_config_secret);
      p.install.cloud_init = c;
      ci->RejectUnknownFields();
    }
    ReadInstallText(*install, "kickstart", false, &p.install.kickstart, &p.install.kickstart_secret);
    ReadInstallText(*install, "preseed", false, &p.install.preseed, &p.install.preseed_secret);
    install->RejectUnknownFields();
  }
  std::set<std::string> param_names;
  for (const YamlMap& pm : spec.MapList("parameters")) {
    ProfileParameter param;
    param.name = pm.String("name");
    if (!IsIdentifier(param.name)) pm.Fail("name", "must be an identifier");
    if (!param_names.insert(param.name).second) pm.Fail("name", "appears twice");
    param.default_value = pm.OptionalString("default");
    param.description = pm.String("description", "");
    param.required = pm.Bool("required", false);
    if (param.required && param.default_value) pm.Fail("required", "a required parameter cannot have a default");
    pm.RejectUnknownFields();
    p.parameters.push_back(param);
  }
  spec.RejectUnknownFields();
  object.RejectUnknownFields();
  return p;
}

ParsedManifest ParseManifest(const YAML::Node& document, const std::string& file) {
  YamlMap object(document, file, "");
  std::string kind = object.String("kind");
  ParsedManifest out;
  if (kind == "Machine") {
    out.machine = ParseMachine(object);
  } else if (kind == "BootProfile") {
    out.profile = ParseBootProfile(object);
  } else if (kind == "Secret") {
    out.secret = ParseSecret(object);
  } else {
    object.Fail("kind", "must be Machine, BootProfile or Secret (got \"" + kind + "\")");
  }
  return out;
}

}  // namespace rackboot::bootd::standalone
