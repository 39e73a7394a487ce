#include "bootd/agent/applied_state.h"

#include <set>

#include "bootd/agent/assignment_conversion.h"

namespace rackboot::bootd::agent {

namespace {

// Every MAC must name one machine in the resulting state, else DHCP could not
// tell which assignment answers it.
Status CheckUniqueMacs(const std::map<std::string, v1alpha1::HostAssignment>& current,
                       const std::set<std::string>& replaced, const std::vector<Assignment>& upserts) {
  std::map<MacAddress, std::string> owner;
  for (const auto& a : upserts) {
    for (const auto& i : a.interfaces) {
      auto [it, inserted] = owner.emplace(i.mac, a.machine_name);
      if (!inserted && it->second != a.machine_name) {
        return Error{"MAC " + i.mac.ToString() + " claimed by both " + it->second + " and " + a.machine_name};
      }
    }
  }
  for (const auto& [name, a] : current) {
    if (replaced.count(name)) continue;
    for (const auto& i : a.interfaces()) {
      auto mac = MacAddress::Parse(i.mac());
      if (!mac) continue;
      auto it = owner.find(*mac);
      if (it != owner.end()) {
        return Error{"MAC " + mac->ToString() + " claimed by both " + name + " and " + it->second};
      }
    }
  }
  return Status::Ok();
}

}  // namespace

v1alpha1::PersistedSnapshot AppliedState::ToSnapshot() const {
  v1alpha1::PersistedSnapshot s;
  s.set_rack(rack);
  s.set_version(version);
  s.set_leader_epoch(epoch);
  for (const auto& [name, a] : assignments) *s.add_assignments() = a;
  return s;
}

Result<AppliedState> StateFromSnapshot(const v1alpha1::PersistedSnapshot& snapshot, const std::string& rack,
                                       std::vector<Assignment>* assignments) {
  if (snapshot.rack() != rack) return Error{"snapshot is for rack '" + snapshot.rack() + "', not '" + rack + "'"};
  AppliedState state;
  state.rack = rack;
  state.version = snapshot.version();
  state.epoch = snapshot.leader_epoch();
  state.highest_epoch = snapshot.leader_epoch();
  std::vector<Assignment> converted;
  for (const auto& a : snapshot.assignments()) {
    auto c = AssignmentFromProto(a, rack);
    if (!c.ok()) return c.error();
    converted.push_back(std::move(c.value()));
    state.assignments[a.machine_name()] = a;
  }
  if (assignments) *assignments = std::move(converted);
  return state;
}

UpdateDecision DecideUpdate(const AppliedState& state, const v1alpha1::AssignmentUpdate& update) {
  UpdateDecision d;
  // Leader fencing: a deposed leader may still hold a stream open.
  if (update.leader_epoch() < state.highest_epoch) {
    d.error_detail = "stale leader epoch " + std::to_string(update.leader_epoch()) + " < " +
                     std::to_string(state.highest_epoch) + ": ignored";
    return d;
  }
  if (!update.full_snapshot() && (update.base_version() != state.version || update.leader_epoch() != state.epoch)) {
    d.kind = UpdateDecision::Kind::kResync;
    d.error_detail =
        "delta on version " + std::to_string(update.base_version()) + " but holding " + std::to_string(state.version);
    return d;
  }
  std::set<std::string> touched;
  for (const auto& a : update.upserts()) {
    if (!touched.insert(a.machine_name()).second) {
      d.error_detail = "machine " + a.machine_name() + " appears twice";
      d.upserts.clear();
      return d;
    }
    auto c = AssignmentFromProto(a, state.rack);
    if (!c.ok()) {
      d.error_detail = c.error().message;
      d.upserts.clear();
      return d;
    }
    d.upserts.push_back(std::move(c.value()));
  }
  for (const auto& name : update.removals()) {
    if (name.empty() || touched.count(name)) {
      d.error_detail = "invalid removal '" + name + "'";
      d.upserts.clear();
      return d;
    }
    d.removals.push_back(name);
  }
  if (update.full_snapshot()) {
    // Everything not in the snapshot goes away: nothing of the old state counts.
    std::map<std::string, v1alpha1::HostAssignment> none;
    if (Status s = CheckUniqueMacs(none, {}, d.upserts); !s.ok()) {
      d.error_detail = s.message();
      d.upserts.clear();
      return d;
    }
  } else {
    std::set<std::string> replaced = touched;
    replaced.insert(d.removals.begin(), d.removals.end());
    if (Status s = CheckUniqueMacs(state.assignments, replaced, d.upserts); !s.ok()) {
      d.error_detail = s.message();
      d.upserts.clear();
      return d;
    }
  }
  d.kind = UpdateDecision::Kind::kApply;
  d.full_snapshot = update.full_snapshot();
  return d;
}

void CommitUpdate(AppliedState& state, const v1alpha1::AssignmentUpdate& update) {
  if (update.full_snapshot()) state.assignments.clear();
  for (const auto& name : update.removals()) state.assignments.erase(name);
  for (const auto& a : update.upserts()) state.assignments[a.machine_name()] = a;
  state.version = update.version();
  state.epoch = update.leader_epoch();
  state.highest_epoch = std::max(state.highest_epoch, update.leader_epoch());
}

}  // namespace rackboot::bootd::agent
