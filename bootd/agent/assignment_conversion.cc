#include "bootd/agent/assignment_conversion.h"

#include <algorithm>
#include <cctype>

namespace rackboot::bootd::agent {

namespace {

BootArtifact ArtifactFromProto(const v1alpha1::Artifact& a) {
  std::string sha = a.sha256();
  std::transform(sha.begin(), sha.end(), sha.begin(), [](unsigned char c) { return std::tolower(c); });
  return BootArtifact{a.url(), sha};
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

v1alpha1::BootStage StageToProto(BootStage s) {
  switch (s) {
    case BootStage::kDhcpDiscover: return v1alpha1::BOOT_STAGE_DHCP_DISCOVER;
    case BootStage::kDhcpOffer: return v1alpha1::BOOT_STAGE_DHCP_OFFER;
    case BootStage::kDhcpAck: return v1alpha1::BOOT_STAGE_DHCP_ACK;
    case BootStage::kBootFile: return v1alpha1::BOOT_STAGE_BOOT_FILE;
    case BootStage::kScript: return v1alpha1::BOOT_STAGE_SCRIPT;
    case BootStage::kKernel: return v1alpha1::BOOT_STAGE_KERNEL;
    case BootStage::kInitrd: return v1alpha1::BOOT_STAGE_INITRD;
    case BootStage::kBooted: return v1alpha1::BOOT_STAGE_BOOTED;
    case BootStage::kError: return v1alpha1::BOOT_STAGE_ERROR;
  }
  return v1alpha1::BOOT_STAGE_UNSPECIFIED;
}

}  // namespace

Result<Assignment> AssignmentFromProto(const v1alpha1::HostAssignment& in, const std::string& rack) {
  const std::string& name = in.machine_name();
  if (name.empty()) return Error{"assignment without machine_name"};
  if (!in.rack().empty() && in.rack() != rack) {
    return Error{"machine " + name + ": rack '" + in.rack() + "' is not this bootd's rack '" + rack + "'"};
  }
  if (in.interfaces().empty() && in.uuid().empty()) return Error{"machine " + name + ": neither MAC nor UUID"};
  auto out = ConvertHostAssignment(in);
  if (out.ok()) out->rack = rack;
  return out;
}

Result<Assignment> ConvertHostAssignment(const v1alpha1::HostAssignment& in) {
  const std::string& name = in.machine_name();
  Assignment out;
  out.machine_name = name;
  out.rack = in.rack();
  out.hostname = in.hostname();
  for (const auto& i : in.interfaces()) {
    auto mac = MacAddress::Parse(i.mac());
    if (!mac) return Error{"machine " + name + ": invalid MAC '" + i.mac() + "'"};
    InterfaceAssignment ia;
    ia.mac = *mac;
    ia.primary = i.primary();
    if (!i.ipv4().empty()) {
      auto ip = Ipv4Address::Parse(i.ipv4());
      if (!ip) return Error{"machine " + name + ": invalid IPv4 address '" + i.ipv4() + "'"};
      ia.ipv4 = *ip;
    }
    out.interfaces.push_back(ia);
  }
  out.uuid = Lower(in.uuid());
  out.architecture = in.architecture();
  out.firmware = in.firmware();
  out.allow_pxe = in.allow_pxe();
  out.boot_once = in.boot_once();
  const auto& b = in.boot();
  out.boot.profile_name = b.profile_name();
  out.boot.kernel = ArtifactFromProto(b.kernel());
  for (const auto& i : b.initrds()) out.boot.initrds.push_back(ArtifactFromProto(i));
  out.boot.cmdline_template = b.cmdline_template();
  out.boot.ipxe_template = b.ipxe_template();
  out.boot.grub_template = b.grub_template();
  out.boot.pxelinux_template = b.pxelinux_template();
  out.boot.install_configs = {b.install_configs().begin(), b.install_configs().end()};
  for (const auto& name : b.secret_install_configs()) {
    if (!out.boot.install_configs.count(name)) {
      return Error{"machine " + in.machine_name() + ": secret install config '" + name + "' has no text"};
    }
    out.boot.secret_install_configs.insert(name);
  }
  for (const auto& m : b.menu()) {
    MenuEntry e;
    e.name = m.name();
    e.label = m.label();
    e.kernel = ArtifactFromProto(m.kernel());
    for (const auto& i : m.initrds()) e.initrds.push_back(ArtifactFromProto(i));
    e.cmdline_template = m.cmdline_template();
    if (!m.action().empty()) e.action = m.action();
    out.boot.menu.push_back(std::move(e));
  }
  out.boot.menu_default = b.menu_default();
  out.boot.menu_timeout_seconds = b.menu_timeout_seconds();
  out.parameters = {in.parameters().begin(), in.parameters().end()};
  out.secret_parameters = {in.secret_parameters().begin(), in.secret_parameters().end()};
  out.boot_file_overrides = {in.boot_file_overrides().begin(), in.boot_file_overrides().end()};
  out.generation = in.generation();
  out.reprovision = in.reprovision();
  return out;
}

namespace {

// Options 60/77 are client bytes; proto3 strings must be UTF-8.
std::string PrintableAscii(const std::string& in) {
  std::string out = in;
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

}  // namespace

v1alpha1::BootEvent BootEventToProto(const BootEvent& e) {
  v1alpha1::BootEvent out;
  out.set_sequence(e.sequence);
  out.set_mac(e.mac.ToString());
  out.set_machine_name(e.machine_name);
  out.set_stage(StageToProto(e.stage));
  out.set_unix_millis(e.unix_millis);
  out.set_bytes(e.bytes);
  out.set_duration_millis(e.duration_millis);
  out.set_detail(e.detail);
  out.set_reprovision(e.reprovision);
  out.set_generation(e.generation);
  if (!e.fingerprint.client_class.empty() || !e.fingerprint.vendor_class.empty() || !e.fingerprint.user_class.empty()) {
    auto* f = out.mutable_fingerprint();
    f->set_client_class(e.fingerprint.client_class);
    f->set_client_arch(e.fingerprint.client_arch);
    f->set_vendor_class(PrintableAscii(e.fingerprint.vendor_class));
    f->set_user_class(PrintableAscii(e.fingerprint.user_class));
    f->set_uuid(e.fingerprint.uuid);
    f->set_parameter_request_list(e.fingerprint.parameter_request_list);
  }
  return out;
}

}  // namespace rackboot::bootd::agent
