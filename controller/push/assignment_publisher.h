#pragma once
// AssignmentPublisher: the boundary between reconcile (which resolves
// Machines + BootProfiles into host assignments) and the push to bootd.
// Reconcile is level-triggered, so calls are idempotent: publishing an
// assignment equal to the one already held changes nothing and sends nothing.

#include <cstdint>
#include <map>
#include <string>

#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::controller::push {

class AssignmentPublisher {
 public:
  virtual ~AssignmentPublisher() = default;
  // Replaces everything known for `rack` (initial list, relist); only the
  // machines that differ reach bootd. Keys are machine names.
  virtual void SetRack(const std::string& rack, std::map<std::string, v1alpha1::HostAssignment> assignments) = 0;
  // Adds or replaces one machine (keyed by assignment.machine_name()).
  virtual void Upsert(const std::string& rack, v1alpha1::HostAssignment assignment) = 0;
  virtual void Remove(const std::string& rack, const std::string& machine_name) = 0;
  // Fencing epoch of the current leadership term (e.g. the Lease's
  // leaseTransitions + 1); stamped on every push, bootd ignores lower ones.
  virtual void SetLeaderEpoch(uint64_t epoch) = 0;
};

}  // namespace rackboot::controller::push
