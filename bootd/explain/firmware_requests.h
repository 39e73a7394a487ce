#pragma once
// The DHCP requests a machine's firmware sends, one per firmware class,
// synthesized so that `bootd explain` can hand them to the real decision
// code (DhcpEngine, ChooseBootAnswer) instead of reasoning about them a
// second time. The option values follow what the firmware really sends
// (pxe-lab-facts.md, RFC 4578, UEFI 2.x §24.7, iPXE's dhcp.c). Pure.

#include <cstdint>
#include <string>
#include <vector>

#include "bootd/dhcp/packet4.h"
#include "common/net_address.h"

namespace rackboot::bootd::explain {

struct FirmwareClass {
  std::string title;         // "BIOS PXE", "UEFI PXE x64", ...
  uint16_t arch_type = 0;    // option 93
  std::string vendor_class;  // option 60
  bool ipxe = false;         // option 77 "iPXE" and option 175: iPXE is running
};

// BIOS PXE, UEFI PXE x64, UEFI PXE arm64, UEFI HTTP Boot x64, iPXE (BIOS),
// iPXE (UEFI x64): the stages a machine goes through.
const std::vector<FirmwareClass>& FirmwareClasses();

// A DHCPDISCOVER (or, for the PXE boot-server port 4011 of ProxyDHCP, a
// DHCPREQUEST) from `mac` as that firmware sends it; `uuid` (SMBIOS,
// canonical) goes into option 97 when not empty.
dhcp::Packet4 FirmwareRequest(const FirmwareClass& firmware, const MacAddress& mac, const std::string& uuid,
                              dhcp::MessageType type);

}  // namespace rackboot::bootd::explain
