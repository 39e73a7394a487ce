#include "resolve/host_assignment_resolver.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>
#include <vector>

#include "common/net_address.h"
#include "resolve/profile_templates.h"

namespace rackboot::resolve {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// bootd takes an http(s) URL as upstream and anything else as a path under
// its artifact root (assignment.proto, Artifact.url).
void FillArtifact(const ProfileArtifact& in, v1alpha1::Artifact* out) {
  out->set_url(in.url.empty() ? in.path : in.url);
  out->set_sha256(Lower(in.sha256));
}

// The value of `ref`; the error names the field and the Secret, never a value.
Result<std::string> SecretValue(const SecretData& secrets, const SecretKeyRef& ref, const std::string& field) {
  auto s = secrets.find(ref.name);
  if (s == secrets.end()) {
    return Error{field + ": Secret '" + ref.name +
                 "' not found (it must exist in the same namespace and carry the label " + kSecretLabel + "=true)"};
  }
  auto v = s->second.find(ref.key);
  if (v == s->second.end()) return Error{field + ": Secret '" + ref.name + "' has no key '" + ref.key + "'"};
  return v->second;
}

// Install configs are served under these file names (NoCloud for cloud-init).
// A file from a Secret is listed in secret_install_configs.
Status FillInstallConfigs(const InstallSpec& in, const SecretData& secrets, v1alpha1::BootTarget* t) {
  auto& out = *t->mutable_install_configs();
  auto put = [&](const char* name, const std::optional<std::string>& text, const std::optional<SecretKeyRef>& ref,
                 const std::string& field) -> Status {
    if (ref) {
      auto value = SecretValue(secrets, *ref, field);
      if (!value.ok()) return value.error();
      out[name] = std::move(value).value();
      t->add_secret_install_configs(name);
    } else if (text) {
      out[name] = *text;
    }
    return Status::Ok();
  };
  std::vector<Status> results;
  if (in.cloud_init) {
    const CloudInitConfig& ci = *in.cloud_init;
    const std::string base = "spec.install.cloudInit.";
    results.push_back(put("user-data", ci.user_data_secret ? std::nullopt : std::optional<std::string>(ci.user_data),
                          ci.user_data_secret, base + "userDataSecretRef"));
    results.push_back(put("meta-data", ci.meta_data, ci.meta_data_secret, base + "metaDataSecretRef"));
    results.push_back(put("vendor-data", ci.vendor_data, ci.vendor_data_secret, base + "vendorDataSecretRef"));
    results.push_back(
        put("network-config", ci.network_config, ci.network_config_secret, base + "networkConfigSecretRef"));
  }
  results.push_back(put("kickstart", in.kickstart, in.kickstart_secret, "spec.install.kickstartSecretRef"));
  results.push_back(put("preseed", in.preseed, in.preseed_secret, "spec.install.preseedSecretRef"));
  for (const Status& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// True when `text` names {{params.<name>}} in any tag form ({{params.x}},
// {{{params.x}}}, {{& params.x}}, {{#params.x}}): the name followed by a
// character that cannot continue an identifier.
bool UsesParameter(const std::string& text, const std::string& name) {
  const std::string needle = "params." + name;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    const size_t end = at + needle.size();
    const bool boundary_before =
        at == 0 || !(std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_');
    const bool boundary_after =
        end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
    if (boundary_before && boundary_after) return true;
  }
  return false;
}

// Command lines and boot-loader scripts are fetched without a token, so a
// secret parameter must not be rendered into them.
Status CheckSecretParametersStayOut(const MachineSpec& spec, const BootProfileSpec& p,
                                    const std::string& profile_name) {
  std::vector<std::pair<std::string, const std::string*>> public_texts{
      {"spec.cmdline", &p.cmdline},
      {"spec.templates.ipxe", &p.ipxe_template},
      {"spec.templates.grub", &p.grub_template},
      {"spec.templates.pxelinux", &p.pxelinux_template}};
  for (const ProfileMenuEntry& e : p.menu) {
    if (e.cmdline) public_texts.push_back({"spec.menu.entries[" + e.name + "].cmdline", &*e.cmdline});
    public_texts.push_back({"spec.menu.entries[" + e.name + "].label", &e.label});
  }
  for (const auto& [name, ref] : spec.secret_parameters) {
    for (const auto& [field, text] : public_texts) {
      if (UsesParameter(*text, name)) {
        return Error{"spec.secretParameters." + name + ": BootProfile " + profile_name + " uses params." + name +
                     " in " + field +
                     ", which is served without a token; use secret parameters only in install configs"};
      }
    }
  }
  return Status::Ok();
}

void FillBootTarget(const std::string& profile_name, const BootProfileSpec& p, v1alpha1::BootTarget* t) {
  t->set_profile_name(profile_name);
  FillArtifact(p.kernel, t->mutable_kernel());
  for (const ProfileArtifact& i : p.initrds) FillArtifact(i, t->add_initrds());
  t->set_cmdline_template(p.cmdline);
  t->set_ipxe_template(p.ipxe_template);
  t->set_grub_template(p.grub_template);
  t->set_pxelinux_template(p.pxelinux_template);
  for (const ProfileMenuEntry& e : p.menu) {
    auto* m = t->add_menu();
    m->set_name(e.name);
    m->set_label(e.label);
    m->set_action(e.action);
    if (e.action != "boot") continue;  // localboot / shell: nothing to fetch
    FillArtifact(p.kernel, m->mutable_kernel());
    for (const ProfileArtifact& i : p.initrds) FillArtifact(i, m->add_initrds());
    m->set_cmdline_template(e.cmdline.value_or(p.cmdline));
  }
  t->set_menu_default(p.menu_default);
  t->set_menu_timeout_seconds(p.menu_timeout_seconds);
}

}  // namespace

const MachineInterface* MachineSpec::Primary() const {
  for (const auto& i : interfaces) {
    if (i.primary) return &i;
  }
  return interfaces.empty() ? nullptr : &interfaces.front();
}

std::set<std::string> ReferencedSecrets(const MachineSpec& machine, const BootProfileSpec* profile) {
  std::set<std::string> names;
  for (const auto& [unused, ref] : machine.secret_parameters) names.insert(ref.name);
  if (profile == nullptr) return names;
  const InstallSpec& in = profile->install;
  std::vector<const std::optional<SecretKeyRef>*> refs{&in.kickstart_secret, &in.preseed_secret};
  if (in.cloud_init) {
    for (const auto* r : {&in.cloud_init->user_data_secret, &in.cloud_init->meta_data_secret,
                          &in.cloud_init->vendor_data_secret, &in.cloud_init->network_config_secret}) {
      refs.push_back(r);
    }
  }
  for (const auto* r : refs) {
    if (*r) names.insert((*r)->name);
  }
  return names;
}

Result<v1alpha1::HostAssignment> ResolveHostAssignment(const MachineIdentity& machine, const MachineSpec& spec,
                                                       const BootProfileSpec* profile, const RackSettings& rack,
                                                       const SecretData& secrets, const ProvisionRecord* provisioned) {
  v1alpha1::HostAssignment h;
  const std::string key = machine.Key();
  h.set_machine_name(key);
  h.set_rack(spec.rack);
  h.set_hostname(spec.hostname.empty() ? machine.name : spec.hostname);
  const MachineInterface* primary = spec.Primary();
  for (const MachineInterface& i : spec.interfaces) {
    auto mac = MacAddress::Parse(i.mac);
    if (!mac) return Error{"machine " + key + ": '" + i.mac + "' is not a MAC address"};
    auto* nic = h.add_interfaces();
    nic->set_mac(mac->ToString());
    nic->set_primary(&i == primary);
    std::string ipv4 = &i == primary && !rack.primary_ipv4.empty() ? rack.primary_ipv4 : i.ipv4;
    if (!ipv4.empty()) {
      auto ip = Ipv4Address::Parse(ipv4);
      if (!ip) return Error{"machine " + key + ": '" + ipv4 + "' is not an IPv4 address"};
      nic->set_ipv4(ip->ToString());
    }
  }
  h.set_uuid(Lower(spec.uuid));
  h.set_architecture(spec.architecture);
  h.set_firmware(spec.firmware.empty() ? "auto" : spec.firmware);
  const NetbootDecision netboot =
      DecideNetboot(spec, profile != nullptr, machine.reprovision,
                    provisioned ? std::optional<ProvisionRecord>(*provisioned) : std::nullopt);
  h.set_allow_pxe(netboot.allowed);
  h.set_boot_once(spec.boot_once);
  h.set_generation(static_cast<uint64_t>(std::max<int64_t>(machine.generation, 0)));
  h.set_reprovision(machine.reprovision);
  h.mutable_boot_file_overrides()->insert(spec.boot_file_overrides.begin(), spec.boot_file_overrides.end());
  auto& params = *h.mutable_parameters();
  if (profile != nullptr) {
    // Profile defaults first; the Machine's values override them.
    for (const ProfileParameter& p : profile->parameters) {
      if (p.default_value) params[p.name] = *p.default_value;
    }
  }
  for (const auto& [k, v] : spec.parameters) params[k] = v;
  // A secret parameter replaces a profile default of the same name (the CRD
  // keeps a name out of both parameters and secretParameters).
  for (const auto& [name, ref] : spec.secret_parameters) {
    auto value = SecretValue(secrets, ref, "spec.secretParameters." + name);
    if (!value.ok()) return value.error();
    params.erase(name);
    (*h.mutable_secret_parameters())[name] = std::move(value).value();
  }
  if (profile == nullptr) return h;
  for (const ProfileParameter& p : profile->parameters) {
    if (p.required && !params.count(p.name) && !h.secret_parameters().count(p.name)) {
      return Error{"parameter '" + p.name + "' is required by BootProfile " + spec.boot_profile + " but not set"};
    }
  }
  if (Status s = CheckSecretParametersStayOut(spec, *profile, spec.boot_profile); !s.ok()) return Error{s.message()};
  // Strict templates: every {{name}} against the variable table and this
  // Machine's parameters (secret ones included, by name), so bootd is never
  // handed a profile that would render an empty string (or fail) at boot.
  // Templates from Secrets are checked when bootd renders them.
  std::map<std::string, std::string> merged(params.begin(), params.end());
  for (const auto& [name, unused] : h.secret_parameters()) merged[name] = "";
  std::vector<TemplateProblem> problems = ProfileTemplateProblems(spec.boot_profile, *profile, &merged);
  if (!problems.empty()) return Error{problems.front().message};
  FillBootTarget(spec.boot_profile, *profile, h.mutable_boot());
  if (Status s = FillInstallConfigs(profile->install, secrets, h.mutable_boot()); !s.ok()) {
    return Error{"BootProfile " + spec.boot_profile + ": " + s.message()};
  }
  return h;
}

}  // namespace rackboot::resolve
