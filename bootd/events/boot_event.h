#pragma once
// BootEvent: one stage of one machine's boot as bootd saw it. The same
// stages as proto BootStage.

#include <cstdint>
#include <string>

#include "common/net_address.h"

namespace rackboot::bootd {

enum class BootStage {
  kDhcpDiscover,
  kDhcpOffer,
  kDhcpAck,
  kBootFile,  // TFTP (or HTTP) boot program served
  kScript,    // iPXE/GRUB/pxelinux script served
  kKernel,
  kInitrd,
  kBooted,  // callback from the booted OS
  kError,
};

const char* BootStageName(BootStage stage);  // "dhcp_offer", "kernel", ...

// What a DHCP client announced (DHCP stages only; empty otherwise). The
// controller shows it in Machine status.detected.
struct ClientFingerprint {
  std::string client_class;            // "x86_64-bios", "x86_64-uefi-http"; "" when the arch is unknown
  uint32_t client_arch = 0;            // option 93 (meaningful when client_class is set)
  std::string vendor_class;            // option 60
  std::string user_class;              // option 77 (first)
  std::string uuid;                    // option 97
  std::string parameter_request_list;  // option 55, "1,3,6"
};

struct BootEvent {
  uint64_t sequence = 0;  // assigned by the recorder, increasing
  MacAddress mac;
  std::string machine_name;  // empty for unknown clients
  BootStage stage = BootStage::kError;
  int64_t unix_millis = 0;
  uint64_t bytes = 0;
  uint64_t duration_millis = 0;
  std::string detail;  // file name, client class, error text (never a secret)
  ClientFingerprint fingerprint;
  // The assignment served when it happened (set for booted): which
  // re-provision request the callback answers (resolve/netboot_decision.h).
  std::string reprovision;
  uint64_t generation = 0;
};

}  // namespace rackboot::bootd
