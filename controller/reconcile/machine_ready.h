#pragma once
// The Machine's Ready condition: one answer for `kubectl wait
// --for=condition=Ready machines.rackboot.io/NAME`, derived level-triggered
// by reconcile from what it decided and what boot progress recorded.
//
// Ready=True (reason Published): the controller resolved the Machine and
// published its assignment (address, hostname, what to boot or lease only)
// to the push stream of its rack's bootd, and nothing known blocks its boot:
// no BootLoop, and the last attempt did not end in a bootd error. It is the
// point after which powering the machine on should work. It does not say
// that the rack's bootd has applied the assignment (a bootd that is not
// connected gets it when it connects) nor that the machine was installed
// (phase Provisioned says that).
//
// Ready=False says what blocks, with the blocking condition's reason:
//   Discovered                 created by discovery, nobody adopted it yet
//   DuplicateMAC, UnknownRack, PoolExhausted, IPConflict, NoInterfaces,
//   InvalidIP                  no address (the Assigned condition)
//   ProfileNotFound, Unresolvable
//                              the BootProfile (ProfileResolved)
//   BootLoop                   the BootLoop condition is True
//   BootError                  phase Failed: bootd reported an error in the
//                              last attempt (status.lastError)
// A Machine without bootProfileRef is served (DHCP lease only) and can be
// Ready; so can one with netboot off (NetbootEnabled=False): Ready means
// rackboot serves it as its spec asks.

#include <cstdint>
#include <string>

#include "controller/model/machine.h"
#include "controller/reconcile/boot_profile_decision.h"  // kConditionReady, shared with BootProfile

namespace rackboot::controller {

inline constexpr const char* kReasonPublished = "Published";
inline constexpr const char* kReasonBootLoop = "BootLoop";
inline constexpr const char* kReasonBootError = "BootError";

struct MachineReadyInput {
  // `status` as reconcile decided it (conditions ProfileResolved, Assigned,
  // NetbootEnabled; phase) plus what boot progress owns (BootLoop).
  const model::MachineStatus* status = nullptr;
  bool published = false;   // the assignment went to the rack's publisher
  bool discovered = false;  // a Discovered Machine nobody adopted
  std::string rack;
  std::string profile;     // spec.bootProfileRef.name ("" = lease only)
  std::string last_error;  // status.lastError.message ("" when none)
  int64_t generation = 0;
};

model::Condition DecideMachineReady(const MachineReadyInput& in);

// status.lastError.message of a Machine object ("" when none).
std::string LastErrorMessage(const model::Machine& machine);

}  // namespace rackboot::controller
