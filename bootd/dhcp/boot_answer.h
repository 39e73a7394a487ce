#pragma once
// BootAnswer: the boot information one client gets for its boot stage, and
// how it is written into a reply so that every firmware reads the same
// thing: siaddr + sname + file and options 66/67 agree, option 60 echoes the
// client's class, option 43 tells PXE ROMs to use this file (discovery
// control bit 3), option 175.176 stops iPXE waiting for ProxyDHCP offers.

#include <optional>
#include <string>

#include "bootd/assignments/assignment.h"
#include "bootd/config/bootd_config.h"
#include "bootd/dhcp/client_class.h"
#include "bootd/dhcp/packet4.h"

namespace rackboot::bootd::dhcp {

struct BootAnswer {
  std::string file;                 // TFTP file name or http:// URL (file field and option 67)
  Ipv4Address next_server;          // siaddr, also sname and option 66 (dotted)
  std::string vendor_class;         // option 60 in the reply: "PXEClient" or "HTTPClient"
  bool pxe_vendor_options = false;  // option 43 with PXE_DISCOVERY_CONTROL
  bool ipxe_no_proxy_wait = false;  // option 175 sub-option 176 = 1
  PxeMenuConfig pxe_menu;           // option 43 sub-options 9 and 10 (firmware PXE only; empty = none)
  std::string detail;               // for logs and boot events: "ipxe-script", "tftp:x86_64-bios", ...
};

// URL of a machine's iPXE script: <http.public_url>/ipxe/<mac>, the MAC as
// bootd/mac_in_url.h spells it.
std::string IpxeScriptUrl(const BootdConfig& config, const MacAddress& mac);

// nullopt when the client gets no boot information: not a boot client, no
// assignment (unknown machines get a plain lease), allow_pxe = false, or
// nothing configured for its architecture. `why` (when given) says which.
std::optional<BootAnswer> ChooseBootAnswer(const BootdConfig& config, const ClientInfo& client,
                                           const Assignment* assignment, std::string* why = nullptr);

// PXE 2.1 option 43 sub-option values: PXE_BOOT_MENU (9) is, per item,
// boot server type (2 bytes, network order), description length (1),
// description; PXE_MENU_PROMPT (10) is timeout seconds (1) then the prompt.
std::string EncodePxeBootMenu(const PxeMenuConfig& menu);
std::string EncodePxeMenuPrompt(const PxeMenuConfig& menu);

// Writes the answer into a reply (file, sname, siaddr and options).
void ApplyBootAnswer(const BootAnswer& answer, Packet4& reply);

}  // namespace rackboot::bootd::dhcp
