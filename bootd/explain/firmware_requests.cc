#include "bootd/explain/firmware_requests.h"

#include <array>

#include "bootd/dhcp/option_codes.h"
#include "bootd/dhcp/options.h"

namespace rackboot::bootd::explain {
namespace {

// SMBIOS byte order (the first three fields little-endian), as firmware
// sends option 97 (OptionClientUuid::ToCanonical undoes it).
std::string UuidOption(const std::string& canonical) {
  std::string hex;
  for (char c : canonical) {
    if (c != '-') hex.push_back(c);
  }
  if (hex.size() != 32 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return "";
  std::array<uint8_t, 16> b{};
  for (size_t i = 0; i < 16; ++i) b[i] = static_cast<uint8_t>(std::stoi(hex.substr(i * 2, 2), nullptr, 16));
  dhcp::OptionClientUuid u;
  u.bytes = {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
  return u.Serialize();
}

}  // namespace

const std::vector<FirmwareClass>& FirmwareClasses() {
  static const std::vector<FirmwareClass> classes = {
      {"BIOS PXE", 0, "PXEClient:Arch:00000:UNDI:002001", false},
      {"UEFI PXE x64", 7, "PXEClient:Arch:00007:UNDI:003016", false},
      {"UEFI PXE arm64", 11, "PXEClient:Arch:00011:UNDI:003016", false},
      {"UEFI HTTP Boot x64", 16, "HTTPClient:Arch:00016:UNDI:003016", false},
      {"iPXE (BIOS)", 0, "PXEClient:Arch:00000:UNDI:002001", true},
      {"iPXE (UEFI x64)", 7, "PXEClient:Arch:00007:UNDI:003016", true},
  };
  return classes;
}

dhcp::Packet4 FirmwareRequest(const FirmwareClass& firmware, const MacAddress& mac, const std::string& uuid,
                              dhcp::MessageType type) {
  using namespace dhcp;
  Packet4 p;
  p.op = kBootRequest;
  p.xid = 0x7278706c;  // any value: the reply only echoes it
  p.flags = kFlagBroadcast;
  p.set_mac(mac);
  p.Set(kOptMessageType, std::string(1, static_cast<char>(type)));
  p.Set(kOptMaxMessageSize, OptionU16{1472}.Serialize());
  // The parameter request list of an Intel/EDK2 PXE ROM (iPXE asks for
  // more, among them 175).
  std::vector<uint8_t> asked = {1,  2,  3,  4,  5,  6,  11, 12, 13, 15, 16,  17,  18,  22,  23,  28,  40,  41, 42,
                                43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135};
  if (firmware.ipxe) asked.push_back(kOptIpxeEncap);
  p.Set(kOptParameterList, OptionParameterList{asked}.Serialize());
  p.Set(kOptClientArch, OptionClientArch{{firmware.arch_type}}.Serialize());
  p.Set(kOptClientNdi, OptionClientNdi{1, 3, 16}.Serialize());
  p.Set(kOptVendorClass, firmware.vendor_class);
  if (const std::string u = UuidOption(uuid); !u.empty()) p.Set(kOptClientUuid, u);
  if (firmware.ipxe) {
    p.Set(kOptUserClass, "iPXE");  // iPXE sends the raw 4 bytes
    OptionSubOptions encap;
    encap.items.emplace_back(kIpxeVersion, std::string("\x01\x15\x01", 3));
    p.Set(kOptIpxeEncap, encap.Serialize());
  }
  return p;
}

}  // namespace rackboot::bootd::explain
