#pragma once
// What `bootd explain --offline` reads instead of a running bootd's memory:
// standalone, the manifest directory (with the booted records bootOnce
// needs, <stateDir>/provisioned-machines.yaml); controller mode, the
// assignments snapshot bootd persisted from the last push. No leases and
// no boot records: those live in the running process.

#include <memory>
#include <string>
#include <vector>

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "common/result.h"

namespace rackboot::bootd::explain {

struct OfflineState {
  AssignmentStore assignments;
  std::string source;                 // for the explanation's header
  std::vector<std::string> problems;  // manifest problems, each with file, line and field
};

Result<std::unique_ptr<OfflineState>> LoadOfflineState(const BootdConfig& config);

}  // namespace rackboot::bootd::explain
