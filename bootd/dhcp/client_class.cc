#include "bootd/dhcp/client_class.h"

#include <algorithm>
#include <charconv>

#include "bootd/dhcp/option_codes.h"

namespace rackboot::bootd::dhcp {
namespace {

ClientArch ArchFromType(uint16_t type) {
  switch (type) {
    case 0: return ClientArch::kX86Bios;
    case 6: return ClientArch::kIa32Uefi;
    case 7:
    case 9: return ClientArch::kX64Uefi;  // RFC 4578 errata 4624
    case 10: return ClientArch::kArm32Uefi;
    case 11: return ClientArch::kArm64Uefi;
    case 16: return ClientArch::kX64UefiHttp;
    case 19: return ClientArch::kArm64UefiHttp;
    default: return ClientArch::kOther;
  }
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// "PXEClient:Arch:00007:UNDI:003000" -> 7 (PXE 2.1 §2.2.5 format).
std::optional<uint16_t> ArchFromVendorClass(const std::string& vc) {
  size_t at = vc.find(":Arch:");
  if (at == std::string::npos || at + 11 > vc.size()) return std::nullopt;
  unsigned value = 0;
  const char* first = vc.data() + at + 6;
  auto [ptr, ec] = std::from_chars(first, first + 5, value);
  if (ec != std::errc() || ptr != first + 5 || value > 0xffff) return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string Printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f && c != ';' ? static_cast<char>(c) : '.');
  return out;
}

}  // namespace

ClientInfo ClassifyClient(const Packet4& p) {
  ClientInfo c;
  c.mac = p.mac();
  if (const std::string* v = p.Find(kOptVendorClass)) {
    if (auto s = OptionString::Parse(*v)) c.vendor_class = s->value;
    c.pxe_vendor_class = StartsWith(c.vendor_class, "PXEClient");
    c.http_vendor_class = StartsWith(c.vendor_class, "HTTPClient");
  }
  if (const std::string* v = p.Find(kOptClientArch)) {
    if (auto a = OptionClientArch::Parse(*v)) c.arch_type = a->types.front();
  }
  if (!c.arch_type) c.arch_type = ArchFromVendorClass(c.vendor_class);
  if (c.arch_type) c.arch = ArchFromType(*c.arch_type);
  if (const std::string* v = p.Find(kOptUserClass)) {
    if (auto u = OptionUserClass::Parse(*v)) c.user_classes = u->classes;
  }
  c.ipxe_encap = p.Has(kOptIpxeEncap);
  if (const std::string* v = p.Find(kOptClientNdi)) c.ndi = OptionClientNdi::Parse(*v);
  if (const std::string* v = p.Find(kOptClientUuid)) {
    auto u = OptionClientUuid::Parse(*v);
    if (u && !u->IsZero()) c.uuid = u->ToCanonical();
  }
  if (const std::string* v = p.Find(kOptClientId)) c.client_id = *v;
  if (const std::string* v = p.Find(kOptHostName)) {
    if (auto s = OptionString::Parse(*v)) c.hostname = s->value;
  }
  if (const std::string* v = p.Find(kOptParameterList)) c.requested.assign(v->begin(), v->end());
  if (const std::string* v = p.Find(kOptMaxMessageSize)) {
    if (auto m = OptionU16::Parse(*v)) c.max_message_size = std::max<uint16_t>(m->value, kMinMaxMessageSize);
  }

  const bool is_ipxe =
      c.ipxe_encap || std::find(c.user_classes.begin(), c.user_classes.end(), "iPXE") != c.user_classes.end();
  if (is_ipxe) {
    c.kind = BootClientKind::kIpxe;
  } else if (c.http_vendor_class || c.arch == ClientArch::kX64UefiHttp || c.arch == ClientArch::kArm64UefiHttp) {
    c.kind = BootClientKind::kUefiHttp;
  } else if (c.pxe_vendor_class) {
    c.kind = BootClientKind::kFirmwarePxe;
  }
  return c;
}

std::string ClientInfo::class_name() const {
  switch (arch) {
    case ClientArch::kX86Bios: return "x86_64-bios";
    case ClientArch::kIa32Uefi: return "i386-uefi";
    case ClientArch::kX64Uefi: return "x86_64-uefi";
    case ClientArch::kArm32Uefi: return "arm32-uefi";
    case ClientArch::kArm64Uefi: return "arm64-uefi";
    case ClientArch::kX64UefiHttp: return "x86_64-uefi-http";
    case ClientArch::kArm64UefiHttp: return "arm64-uefi-http";
    case ClientArch::kUnknown:
    case ClientArch::kOther: break;
  }
  return "";
}

std::string ClientInfo::Fingerprint() const {
  std::string out;
  auto add = [&](const std::string& kv) {
    if (!out.empty()) out.push_back(';');
    out += kv;
  };
  if (!vendor_class.empty()) add("60=" + Printable(vendor_class));
  if (!user_classes.empty()) add("77=" + Printable(user_classes.front()));
  if (arch_type) add("93=" + std::to_string(*arch_type));
  if (ndi) add("94=" + std::to_string(ndi->type) + "." + std::to_string(ndi->major) + "." + std::to_string(ndi->minor));
  if (!uuid.empty()) add("97=" + uuid);
  if (!requested.empty()) {
    std::string list;
    for (uint8_t code : requested) {
      if (!list.empty()) list.push_back(',');
      list += std::to_string(code);
    }
    add("55=" + list);
  }
  return out;
}

const char* ClientArchName(ClientArch arch) {
  switch (arch) {
    case ClientArch::kUnknown: return "unknown";
    case ClientArch::kX86Bios: return "x86-bios";
    case ClientArch::kIa32Uefi: return "ia32-uefi";
    case ClientArch::kX64Uefi: return "x64-uefi";
    case ClientArch::kArm32Uefi: return "arm32-uefi";
    case ClientArch::kArm64Uefi: return "arm64-uefi";
    case ClientArch::kX64UefiHttp: return "x64-uefi-http";
    case ClientArch::kArm64UefiHttp: return "arm64-uefi-http";
    case ClientArch::kOther: return "other";
  }
  return "unknown";
}

const char* BootClientKindName(BootClientKind kind) {
  switch (kind) {
    case BootClientKind::kNone: return "none";
    case BootClientKind::kFirmwarePxe: return "firmware-pxe";
    case BootClientKind::kUefiHttp: return "uefi-http";
    case BootClientKind::kIpxe: return "ipxe";
  }
  return "none";
}

}  // namespace rackboot::bootd::dhcp
