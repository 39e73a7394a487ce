#pragma once
// ClientInfo: what a DHCP request says about the client that sent it, and
// which boot stage it is in. Option 93 (client architecture) is trusted over
// option 60: iPXE and others do not follow the PXE spec's
// "PXEClient:Arch:xxxxx" format reliably.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bootd/dhcp/options.h"
#include "bootd/dhcp/packet4.h"
#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

// IANA "Processor Architecture Types" (RFC 4578 §2.1 and its errata 4624:
// type 7 is x64 UEFI, and older firmware sends 9 for x64 UEFI too).
enum class ClientArch {
  kUnknown,        // no option 93 and nothing usable in option 60
  kX86Bios,        // 0
  kIa32Uefi,       // 6
  kX64Uefi,        // 7, 9
  kArm32Uefi,      // 10
  kArm64Uefi,      // 11
  kX64UefiHttp,    // 16
  kArm64UefiHttp,  // 19
  kOther,          // anything else: logged, no boot file
};

enum class BootClientKind {
  kNone,         // an ordinary DHCP client (an OS, a BMC...)
  kFirmwarePxe,  // option 60 PXEClient, firmware's own PXE stack
  kUefiHttp,     // UEFI HTTP Boot (option 60 HTTPClient or arch 16/19)
  kIpxe,         // iPXE is running (77 = "iPXE" or option 175 present)
};

struct ClientInfo {
  MacAddress mac;
  std::optional<uint16_t> arch_type;  // first value of option 93 (or from option 60)
  ClientArch arch = ClientArch::kUnknown;
  BootClientKind kind = BootClientKind::kNone;
  bool pxe_vendor_class = false;                   // option 60 starts with "PXEClient"
  bool http_vendor_class = false;                  // option 60 starts with "HTTPClient"
  std::string vendor_class;                        // option 60
  std::vector<std::string> user_classes;           // option 77
  bool ipxe_encap = false;                         // option 175 present
  std::optional<OptionClientNdi> ndi;              // option 94
  std::string uuid;                                // option 97, canonical; empty when absent or all-zero
  std::string client_id;                           // option 61, raw (type byte included)
  std::string hostname;                            // option 12
  std::vector<uint8_t> requested;                  // option 55
  uint16_t max_message_size = kMinMaxMessageSize;  // option 57, clamped

  // Key used for boot files and per-machine overrides: "x86_64-bios",
  // "i386-uefi", "x86_64-uefi", "arm32-uefi", "arm64-uefi",
  // "x86_64-uefi-http", "arm64-uefi-http"; "" when the arch is unknown.
  std::string class_name() const;
  // Short fingerprint for discovered-client records and logs:
  // "60=PXEClient:Arch:00000:UNDI:002001;77=iPXE;93=0;94=1.2.1;97=...;55=1,3,6".
  std::string Fingerprint() const;
};

// Never fails: the decoder has already checked option lengths.
ClientInfo ClassifyClient(const Packet4& packet);

const char* ClientArchName(ClientArch arch);
const char* BootClientKindName(BootClientKind kind);

}  // namespace rackboot::bootd::dhcp
