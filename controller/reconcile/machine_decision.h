#pragma once
// The pure core of Machine reconciliation: (Machine, its BootProfile if
// found, the IP table) -> desired status, IP claim/release, finalizer change,
// Events. No I/O here; machine_controller.h applies the decision.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/net_address.h"
#include "controller/model/boot_profile.h"
#include "controller/model/machine.h"
#include "controller/reconcile/ip_allocator.h"
#include "rackboot/v1alpha1/assignment.pb.h"
#include "resolve/secret_data.h"

namespace rackboot::controller {

inline constexpr const char* kIpFinalizer = "rackboot.io/ip-release";
inline constexpr const char* kConditionProfileResolved = "ProfileResolved";
inline constexpr const char* kConditionAssigned = "Assigned";
// Whether bootd hands this machine a boot file now, and why not
// (resolve/netboot_decision.h reasons, or NotAssigned / Discovered).
inline constexpr const char* kConditionNetbootEnabled = "NetbootEnabled";
inline constexpr const char* kReasonNotAssigned = "NotAssigned";  // nothing pushed: no address or no resolved profile
inline constexpr const char* kReasonDiscovered = "Discovered";    // a Discovered Machine, unknown to bootd on purpose
inline constexpr const char* kPhasePending = "Pending";
inline constexpr const char* kPhaseAssigned = "Assigned";
// ProfileResolved=False reason when the resolver refuses (a required
// parameter unset, a MAC that is not one).
inline constexpr const char* kReasonUnresolvable = "Unresolvable";

struct DecidedEvent {
  std::string type;  // Normal | Warning
  std::string reason;
  std::string message;
};

// What bootd needs for one host, once the Machine is Assigned: the
// HostAssignment from the one resolver (resolve/host_assignment_resolver.h),
// published to the rack's bootd by reconcile.
struct ResolvedAssignment {
  std::string machine_key;
  std::string rack;
  v1alpha1::HostAssignment host;
  // Leader epoch (Lease leaseTransitions) of the replica that resolved it:
  // bootd rejects pushes from an older epoch (fencing against a stale leader).
  int64_t epoch = 0;
};

struct MachineDecision {
  bool deleting = false;  // finalize: release IPs, drop finalizer
  bool add_finalizer = false;
  bool remove_finalizer = false;
  std::optional<Ipv4Address> claim;    // address to record for this Machine
  std::optional<Ipv4Address> release;  // address it no longer holds
  model::MachineStatus status;         // desired status (unused when deleting)
  bool status_changed = false;
  std::vector<DecidedEvent> events;
  std::optional<ResolvedAssignment> assignment;
};

// `profile` is null when the referenced BootProfile does not exist.
// `now` is the RFC 3339 time for condition transitions.
// `mac_taken_by`: older Machines (by creationTimestamp, then key) that list
// one of this Machine's MACs; the schema cannot see across objects, so the
// controller keeps MACs unique: the newer Machine gets no address.
// `secrets`: the labelled Secrets of the Machine's namespace that it or its
// profile references (resolve/secret_data.h); a missing one makes
// ProfileResolved=False (reason Unresolvable) with a message naming the
// field, the Secret and the key -- never a value.
MachineDecision DecideMachine(const model::Machine& machine, const model::BootProfile* profile, const IpAllocator& ips,
                              const std::string& now, const std::vector<std::string>& mac_taken_by = {},
                              const resolve::SecretData& secrets = {});

}  // namespace rackboot::controller
