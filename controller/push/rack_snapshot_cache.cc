#include "controller/push/rack_snapshot_cache.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <chrono>

namespace rackboot::controller::push {

namespace {

uint64_t WallClockMicros() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

RackSnapshotCache::RackSnapshotCache(std::optional<uint64_t> version_seed, size_t max_tombstones)
    : version_seed_(version_seed.value_or(WallClockMicros())), max_tombstones_(std::max<size_t>(max_tombstones, 1)) {}

RackSnapshotCache::Rack& RackSnapshotCache::RackLocked(const std::string& rack) {
  auto [it, inserted] = racks_.try_emplace(rack);
  if (inserted) {
    it->second.version = version_seed_;
    it->second.oldest_delta_base = version_seed_;
  }
  return it->second;
}

bool RackSnapshotCache::UpsertLocked(Rack& r, v1alpha1::HostAssignment a, uint64_t next) {
  const std::string name = a.machine_name();
  auto it = r.entries.find(name);
  if (it != r.entries.end() && google::protobuf::util::MessageDifferencer::Equals(it->second.assignment, a)) {
    return false;  // level-triggered reconcile re-publishes unchanged state
  }
  r.entries[name] = Entry{std::move(a), next};
  r.tombstones.erase(name);
  return true;
}

bool RackSnapshotCache::RemoveLocked(Rack& r, const std::string& name, uint64_t next) {
  if (r.entries.erase(name) == 0) return false;
  r.tombstones[name] = next;
  return true;
}

void RackSnapshotCache::TrimTombstonesLocked(Rack& r) {
  while (r.tombstones.size() > max_tombstones_) {
    auto oldest = std::min_element(r.tombstones.begin(), r.tombstones.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    // A bootd older than this removal can no longer learn of it by delta.
    r.oldest_delta_base = std::max(r.oldest_delta_base, oldest->second);
    r.tombstones.erase(oldest);
  }
}

void RackSnapshotCache::SetRack(const std::string& rack, std::map<std::string, v1alpha1::HostAssignment> assignments) {
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Rack& r = RackLocked(rack);
    const uint64_t next = r.version + 1;
    std::vector<std::string> gone;
    for (const auto& [name, e] : r.entries) {
      if (!assignments.count(name)) gone.push_back(name);
    }
    for (const auto& name : gone) changed |= RemoveLocked(r, name, next);
    for (auto& [name, a] : assignments) {
      a.set_machine_name(name);
      changed |= UpsertLocked(r, std::move(a), next);
    }
    if (changed) {
      r.version = next;
      TrimTombstonesLocked(r);
    }
  }
  if (changed) Notify(rack);
}

void RackSnapshotCache::Upsert(const std::string& rack, v1alpha1::HostAssignment assignment) {
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Rack& r = RackLocked(rack);
    changed = UpsertLocked(r, std::move(assignment), r.version + 1);
    if (changed) ++r.version;
  }
  if (changed) Notify(rack);
}

void RackSnapshotCache::Remove(const std::string& rack, const std::string& machine_name) {
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Rack& r = RackLocked(rack);
    changed = RemoveLocked(r, machine_name, r.version + 1);
    if (changed) {
      ++r.version;
      TrimTombstonesLocked(r);
    }
  }
  if (changed) Notify(rack);
}

void RackSnapshotCache::SetLeaderEpoch(uint64_t epoch) {
  std::vector<std::string> racks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (epoch == leader_epoch_) return;
    leader_epoch_ = epoch;
    for (const auto& [name, r] : racks_) racks.push_back(name);
  }
  // A new term re-sends a full snapshot under the new epoch.
  for (const auto& rack : racks) Notify(rack);
}

uint64_t RackSnapshotCache::leader_epoch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_epoch_;
}

uint64_t RackSnapshotCache::Version(const std::string& rack) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = racks_.find(rack);
  return it == racks_.end() ? version_seed_ : it->second.version;
}

size_t RackSnapshotCache::Size(const std::string& rack) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = racks_.find(rack);
  return it == racks_.end() ? 0 : it->second.entries.size();
}

std::optional<PlannedUpdate> RackSnapshotCache::Plan(const std::string& rack, uint64_t have_version,
                                                     uint64_t have_epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  Rack& r = RackLocked(rack);
  const bool same_epoch = have_epoch == leader_epoch_;
  if (same_epoch && have_version == r.version) return std::nullopt;
  PlannedUpdate plan;
  plan.version = r.version;
  // Deltas only within one epoch and only from a version this cache produced
  // and still has the history for; anything else (another leader's version,
  // a version from before a controller restart) gets a full snapshot.
  if (same_epoch && have_version >= r.oldest_delta_base && have_version < r.version) {
    plan.base_version = have_version;
    for (const auto& [name, e] : r.entries) {
      if (e.changed_at > have_version) plan.upserts.push_back(e.assignment);
    }
    for (const auto& [name, removed_at] : r.tombstones) {
      if (removed_at > have_version) plan.removals.push_back(name);
    }
    return plan;
  }
  plan.full_snapshot = true;
  plan.upserts.reserve(r.entries.size());
  for (const auto& [name, e] : r.entries) plan.upserts.push_back(e.assignment);
  return plan;
}

void RackSnapshotCache::SetChangeListener(ChangeListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

void RackSnapshotCache::Notify(const std::string& rack) {
  ChangeListener listener;
  {
    std::lock_guard<std::mutex> lock(mu_);
    listener = listener_;
  }
  if (listener) listener(rack);
}

}  // namespace rackboot::controller::push
