#pragma once
// Maps bootd's `dhcp.leases` config section onto JournalOptions, so the DHCP
// service opens its journal with one call:
//   auto store = JournalLeaseStore::Open(JournalOptionsFromConfig(config.dhcp.leases));

#include "bootd/config/bootd_config.h"
#include "bootd/leases/lease_journal.h"

namespace rackboot::bootd {

inline JournalOptions JournalOptionsFromConfig(const DhcpLeasesConfig& config) {
  JournalOptions options;
  options.path = config.path;
  options.fsync = config.fsync;
  options.compact_ratio = static_cast<double>(config.compact_ratio);
  return options;
}

}  // namespace rackboot::bootd
