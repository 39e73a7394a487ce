#pragma once
// Discovered Machines (opt-in, controller config `discovery:`): a DHCP
// client bootd has no assignment for becomes a Machine in phase Discovered,
// so an operator sees unknown hardware on the racks and adopts it by adding
// a bootProfileRef. Pure helpers; boot_status_writer.h creates them.

#include <string>

#include "controller/model/json_fields.h"

namespace rackboot::controller::progress {

inline constexpr const char* kLabelDiscovered = "rackboot.io/discovered";
inline constexpr const char* kLabelRack = "rackboot.io/rack";

struct DiscoveryOptions {
  bool create_machines = false;
  std::string namespace_ = "default";  // where Discovered Machines are created
  size_t max_machines = 256;           // per controller process: an unbounded DHCP flood must not fill etcd
};

// "discovered-525400123456": a valid object name, the same for every
// spelling of the MAC (so creation is idempotent). "" for an invalid MAC.
std::string DiscoveredMachineName(const std::string& mac);

// The Machine object to create: labels rack + discovered=true, spec with the
// rack and the one interface, no bootProfileRef.
model::Json DiscoveredMachineJson(const std::string& ns, const std::string& rack, const std::string& mac);

}  // namespace rackboot::controller::progress
