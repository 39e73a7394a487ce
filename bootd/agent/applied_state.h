#pragma once
// AppliedState and DecideUpdate: bootd's side of the push protocol without
// I/O. An update is applied completely or not at all: DecideUpdate checks the
// fencing epoch, that a delta sits on the version we hold, and converts and
// validates every machine before anything changes. The caller then applies
// the decision to the AssignmentStore and persists the new state.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bootd/assignments/assignment.h"
#include "common/result.h"
#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::bootd::agent {

struct AppliedState {
  std::string rack;
  uint64_t version = 0;        // 0: nothing applied yet
  uint64_t epoch = 0;          // leader epoch of the update that produced `version`
  uint64_t highest_epoch = 0;  // fencing: updates below this are ignored
  std::map<std::string, v1alpha1::HostAssignment> assignments;

  v1alpha1::PersistedSnapshot ToSnapshot() const;
};

// Validates a persisted snapshot for `rack` and converts it; also yields the
// bootd::Assignments to load into the store.
Result<AppliedState> StateFromSnapshot(const v1alpha1::PersistedSnapshot& snapshot, const std::string& rack,
                                       std::vector<Assignment>* assignments);

struct UpdateDecision {
  enum class Kind {
    kApply,   // ACK after applying
    kNack,    // keep the previous state, report error_detail
    kResync,  // a delta on a version we do not hold: drop the stream, Hello again
  };
  Kind kind = Kind::kNack;
  std::string error_detail;
  bool full_snapshot = false;
  std::vector<Assignment> upserts;  // converted; for a full snapshot, everything
  std::vector<std::string> removals;
};

UpdateDecision DecideUpdate(const AppliedState& state, const v1alpha1::AssignmentUpdate& update);

// Moves `state` to the update's version; only after DecideUpdate said kApply.
void CommitUpdate(AppliedState& state, const v1alpha1::AssignmentUpdate& update);

}  // namespace rackboot::bootd::agent
