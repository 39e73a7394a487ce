#pragma once
// Whether a machine may network-boot now: the boot lifecycle, derived from
// the user's intent (spec.netboot, bootProfileRef, the re-provision
// annotation) and what happened (the machine's last booted callback), with
// no memory of events beyond that record. Both doors call it through the
// resolver: the controller with status.provisioned, standalone bootd with
// its own record file (bootd/assignments/provisioned_records.h).
//
// bootOnce is scoped to a re-provision request, the value of the Machine's
// annotation rackboot.io/reprovision ("" when absent): once the machine has
// reported booted under the current value it gets no boot file; changing
// the value (kubectl annotate --overwrite) asks for one more installation.
// A spec edit alone never reinstalls a provisioned machine, as with Metal3,
// because a reinstall wipes its disks.

#include <cstdint>
#include <optional>
#include <string>

#include "resolve/machine_spec.h"

namespace rackboot::resolve {

inline constexpr const char* kReprovisionAnnotation = "rackboot.io/reprovision";

// "The machine reported booted under this re-provision request."
struct ProvisionRecord {
  std::string reprovision;  // the annotation value bootd served then
  int64_t generation = 0;   // metadata.generation bootd served then (informational)
  int64_t unix_millis = 0;  // when the booted callback came
  bool operator==(const ProvisionRecord&) const = default;
};

// Reasons (CamelCase, the Machine's NetbootEnabled condition).
inline constexpr const char* kNetbootAllowed = "Allowed";
inline constexpr const char* kNetbootPxeDisabled = "PXEDisabled";
inline constexpr const char* kNetbootNoBootProfile = "NoBootProfile";
inline constexpr const char* kNetbootBootOnceCompleted = "BootOnceCompleted";

struct NetbootDecision {
  bool allowed = false;
  std::string reason;   // one of the kNetboot* above
  std::string message;  // for humans: why, and what to do
};

// The bootOnce rule alone: a bootOnce machine that reported booted under the
// current re-provision request is done. bootd applies it to what it was
// pushed (bootd/agent/boot_once_guard.h) until the controller has heard.
bool BootOnceCompleted(bool boot_once, const std::string& reprovision,
                       const std::optional<ProvisionRecord>& provisioned);

// `has_profile`: the Machine names a BootProfile that resolved.
// `reprovision`: the Machine's current annotation value ("" when absent).
NetbootDecision DecideNetboot(const MachineSpec& spec, bool has_profile, const std::string& reprovision,
                              const std::optional<ProvisionRecord>& provisioned);

}  // namespace rackboot::resolve
