#pragma once
// MachineBootState: the part of Machine.status that boot progress owns --
// phase, status.bootProgress, status.lastError, status.detected,
// status.provisioned and the BootLoop condition (crds/machine.yaml) -- read from and written back into
// a status JSON object without touching fields other writers own.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/model/json_fields.h"
#include "controller/model/machine.h"
#include "controller/model/object_meta.h"

namespace rackboot::controller::progress {

inline constexpr const char* kPhaseBooting = "Booting";
inline constexpr const char* kPhaseProvisioned = "Provisioned";
inline constexpr const char* kPhaseFailed = "Failed";
inline constexpr const char* kPhaseDiscovered = "Discovered";
inline constexpr const char* kConditionBootLoop = "BootLoop";

// One stage of the current boot attempt (first time it was seen).
struct StageRecord {
  std::string stage;  // dhcp_discover, boot_file, ... (proto BootStage, lower case)
  int64_t unix_millis = 0;
  uint64_t bytes = 0;
  uint64_t duration_millis = 0;
  std::string detail;
  bool operator==(const StageRecord&) const = default;
};

// The last DHCP fingerprint (options 60, 77, 93, 97, 55, giaddr).
struct DetectedClient {
  std::string architecture;  // x86_64 | arm64 | i386 | riscv64 | unknown
  std::string firmware;      // bios | uefi | unknown
  std::string uuid;
  int64_t client_arch = -1;  // option 93; -1: not sent
  std::string vendor_class;
  std::string user_class;
  std::string parameter_request_list;
  std::string relay_address;
  std::string mac;
  int64_t unix_millis = 0;
  bool operator==(const DetectedClient&) const = default;
};

struct LastError {
  int64_t unix_millis = 0;
  std::string stage;  // the stage reached when it failed
  std::string message;
  bool operator==(const LastError&) const = default;
};

struct BootProgress {
  int64_t boot_count = 0;
  // Times the boot path started over (a new DHCP discover after a boot file
  // or script) without reaching `booted`; reset by `booted`.
  int64_t restarts = 0;
  std::string last_stage;
  int64_t last_stage_millis = 0;
  std::vector<StageRecord> stages;  // the current attempt
  const StageRecord* Find(const std::string& stage) const;
  bool operator==(const BootProgress&) const = default;
};

struct MachineBootState {
  std::string phase;
  BootProgress progress;
  std::optional<LastError> last_error;
  std::optional<DetectedClient> detected;
  // The last booted callback and the re-provision request it answered:
  // what bootOnce is derived from (resolve/netboot_decision.h).
  std::optional<resolve::ProvisionRecord> provisioned;
  std::vector<model::Condition> conditions;
  bool operator==(const MachineBootState&) const = default;
};

// `status` is Machine.status (an object, or null when absent).
MachineBootState BootStateFromStatus(const model::Json& status);
// Writes the state into `status` (made an object if needed); every other
// status field is kept as it was.
void ApplyBootState(const MachineBootState& state, model::Json* status);

}  // namespace rackboot::controller::progress
