#pragma once
// The pure core of boot progress: one bootd BootEvent merged into a
// Machine's MachineBootState. No I/O; boot_status_writer.h applies it.
//
// Phases: a DHCP/TFTP/HTTP stage makes the machine Booting, `booted` makes
// it Provisioned and records status.provisioned (the re-provision request
// and generation bootd served), `error` Failed (with status.lastError). One attempt's
// stages are kept with the time each was first seen.
//
// A new attempt starts with a DHCP discover when the machine was Assigned
// (a new boot is expected), after `booted` (the next boot; bootCount + 1),
// or when the boot path started over without `booted`: a discover after the
// script/kernel/initrd, or after the boot file from a client that is not
// iPXE (the firmware itself retried; iPXE's own DHCP right after the boot
// file is the normal chain). Such a restart counts; `loop_threshold`
// restarts set the BootLoop condition True until a boot succeeds.

#include <string>
#include <vector>

#include "controller/progress/boot_state.h"
#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::controller::progress {

struct MergeOptions {
  int loop_threshold = 3;
  // Only record the DHCP fingerprint (events for a MAC that has no
  // assignment, e.g. a Discovered Machine): phase and stages stay.
  bool fingerprint_only = false;
};

// A Kubernetes Event to emit once the status write succeeded.
struct BootNote {
  std::string type;    // Normal | Warning
  std::string reason;  // CamelCase, names the stage (DhcpDiscover, BootFile, Booted, BootLoop, ...)
  std::string message;
  bool operator==(const BootNote&) const = default;
};

// "dhcp_discover", ... as in crds/machine.yaml; "" for UNSPECIFIED.
std::string StageName(v1alpha1::BootStage stage);
// "DhcpDiscover", "BootFile", ... ("BootError" for the error stage).
std::string StageReason(v1alpha1::BootStage stage);
// Architecture and firmware from bootd's client class ("x86_64-uefi-http").
void ClassToArchFirmware(const std::string& client_class, std::string* arch, std::string* firmware);

// Merges `event` into `state`; returns the Events to emit (first sighting of
// a stage in an attempt, failures, BootLoop transitions). An event older than
// the last recorded stage (a resend after a controller restart) changes
// nothing. `now` is the RFC 3339 time for condition transitions.
std::vector<BootNote> MergeBootEvent(MachineBootState* state, const v1alpha1::BootEvent& event,
                                     const MergeOptions& options, const std::string& now);

}  // namespace rackboot::controller::progress
