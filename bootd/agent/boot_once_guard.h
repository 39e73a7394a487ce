#pragma once
// BootOnceGuard: bootd's own memory of booted callbacks in controller mode.
//
// The controller decides bootOnce from Machine status.provisioned, which it
// writes when bootd's booted event reaches it. Until then the event waits in
// bootd's outbox, in memory. Without this guard a bootd restart in that
// window loses the event, the controller keeps allowing the netboot, and
// the installed machine reinstalls (wiping its disks) at its next power-on.
//
// So bootd records every booted callback durably (the same
// <stateDir>/provisioned-machines.yaml standalone mode keeps) before the
// callback is answered, and applies the bootOnce rule
// (resolve::BootOnceCompleted) to what the controller pushes: a bootOnce
// machine recorded as booted under its current re-provision request gets no
// boot file even while the controller still allows one. At start, bootd
// replays the booted events the controller evidently has not seen (it still
// allows the netboot of a machine recorded as done), so the status catches
// up. A new re-provision value from the controller outranks the record.
//
// Pure apart from the record file; the agent does the locking and I/O.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bootd/assignments/assignment.h"
#include "bootd/assignments/provisioned_records.h"
#include "bootd/events/boot_event.h"
#include "common/result.h"
#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::bootd::agent {

class BootOnceGuard {
 public:
  // Loads `path` (missing = nothing booted yet). Throws ConfigError naming
  // file, line and field for a malformed file.
  explicit BootOnceGuard(const std::string& path);

  // allow_pxe off for every bootOnce machine recorded as booted under its
  // current re-provision request.
  void Apply(std::vector<Assignment>* assignments) const;
  Assignment Applied(Assignment assignment) const;

  // Records a booted callback (other stages are ignored). Returns whether
  // the record changed; an error when it could not be written.
  Result<bool> Record(const BootEvent& event);

  // Forgets the records of machines the controller no longer pushes (their
  // Machine was deleted: a new one of the same name starts unprovisioned).
  Result<bool> Forget(const std::vector<std::string>& removed);
  Result<bool> KeepOnly(const std::vector<Assignment>& full);

  // The booted events to send again after a restart: for each pushed
  // assignment that still allows a bootOnce netboot the record says is done.
  std::vector<BootEvent> Unacknowledged(const std::vector<v1alpha1::HostAssignment>& pushed) const;

  const std::string& path() const { return records_.path(); }

 private:
  ProvisionedRecords records_;
};

}  // namespace rackboot::bootd::agent
