#include "resolve/host_assignment_resolver.h"

#include <algorithm>
#include <cctype>

#include "common/net_address.h"

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

// Install configs are served under these file names (NoCloud for cloud-init).
void FillInstallConfigs(const InstallSpec& in, google::protobuf::Map<std::string, std::string>* out) {
  if (in.cloud_init) {
    (*out)["user-data"] = in.cloud_init->user_data;
    if (in.cloud_init->meta_data) (*out)["meta-data"] = *in.cloud_init->meta_data;
    if (in.cloud_init->vendor_data) (*out)["vendor-data"] = *in.cloud_init->vendor_data;
    if (in.cloud_init->network_config) (*out)["network-config"] = *in.cloud_init->network_config;
  }
  if (in.kickstart) (*out)["kickstart"] = *in.kickstart;
  if (in.preseed) (*out)["preseed"] = *in.preseed;
}

void FillBootTarget(const std::string& profile_name, const BootProfileSpec& p, v1alpha1::BootTarget* t) {
  t->set_profile_name(profile_name);
  FillArtifact(p.kernel, t->mutable_kernel());
  for (const ProfileArtifact& i : p.initrds) FillArtifact(i, t->add_initrds());
  t->set_cmdline_template(p.cmdline);
  t->set_ipxe_template(p.ipxe_template);
  t->set_grub_template(p.grub_template);
  t->set_pxelinux_template(p.pxelinux_template);
  FillInstallConfigs(p.install, t->mutable_install_configs());
  for (const ProfileMenuEntry& e : p.menu) {
    // The wire form carries bootable entries only (proto MenuEntry has no
    // action); localboot and shell are what the boot loader falls back to.
    if (e.action != "boot") continue;
    auto* m = t->add_menu();
    m->set_name(e.name);
    m->set_label(e.label);
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

Result<v1alpha1::HostAssignment> ResolveHostAssignment(const MachineIdentity& machine, const MachineSpec& spec,
                                                       const BootProfileSpec* profile, const RackSettings& rack,
                                                       const ProvisionRecord* provisioned) {
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
  if (profile == nullptr) return h;
  for (const ProfileParameter& p : profile->parameters) {
    if (p.required && !params.count(p.name)) {
      return Error{"parameter '" + p.name + "' is required by BootProfile " + spec.boot_profile + " but not set"};
    }
  }
  FillBootTarget(spec.boot_profile, *profile, h.mutable_boot());
  return h;
}

}  // namespace rackboot::resolve
