#pragma once
// RackSnapshotCache: per rack, the current host assignments, a version that
// moves on every change, and enough history (change versions + bounded
// tombstones) to compute "what changed since version V" -- the delta a
// reconnecting or ACKing bootd needs. Thread-safe. Implements the
// AssignmentPublisher boundary for reconcile.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "controller/push/assignment_publisher.h"

namespace rackboot::controller::push {

// What one stream should send next; turned into an AssignmentUpdate by the
// stream session (which adds nonce and epoch).
struct PlannedUpdate {
  bool full_snapshot = false;
  uint64_t version = 0;
  uint64_t base_version = 0;  // delta only
  std::vector<v1alpha1::HostAssignment> upserts;
  std::vector<std::string> removals;
};

class RackSnapshotCache : public AssignmentPublisher {
 public:
  // Versions of every rack start at `version_seed`; the default (wall clock
  // in microseconds) keeps versions increasing across controller restarts.
  explicit RackSnapshotCache(std::optional<uint64_t> version_seed = std::nullopt, size_t max_tombstones = 4096);

  void SetRack(const std::string& rack, std::map<std::string, v1alpha1::HostAssignment> assignments) override;
  void Upsert(const std::string& rack, v1alpha1::HostAssignment assignment) override;
  void Remove(const std::string& rack, const std::string& machine_name) override;
  void SetLeaderEpoch(uint64_t epoch) override;

  uint64_t leader_epoch() const;
  uint64_t Version(const std::string& rack) const;
  size_t Size(const std::string& rack) const;

  // The update that brings a bootd holding `have_version` (produced under
  // epoch `have_epoch`) to the current version: nothing when it is current,
  // a delta when history reaches back to `have_version`, else a full snapshot.
  std::optional<PlannedUpdate> Plan(const std::string& rack, uint64_t have_version, uint64_t have_epoch);

  // Called (without the cache lock held) after a rack's version moved.
  using ChangeListener = std::function<void(const std::string& rack)>;
  void SetChangeListener(ChangeListener listener);

 private:
  struct Entry {
    v1alpha1::HostAssignment assignment;
    uint64_t changed_at = 0;
  };
  struct Rack {
    uint64_t version = 0;
    uint64_t oldest_delta_base = 0;  // deltas only from versions >= this
    std::map<std::string, Entry> entries;
    std::map<std::string, uint64_t> tombstones;  // name -> version that removed it
  };

  Rack& RackLocked(const std::string& rack);
  // Each returns true when the rack changed; `next` is the version to stamp.
  bool UpsertLocked(Rack& r, v1alpha1::HostAssignment a, uint64_t next);
  bool RemoveLocked(Rack& r, const std::string& name, uint64_t next);
  void TrimTombstonesLocked(Rack& r);
  void Notify(const std::string& rack);

  const uint64_t version_seed_;
  const size_t max_tombstones_;
  mutable std::mutex mu_;
  uint64_t leader_epoch_ = 0;
  std::map<std::string, Rack> racks_;
  ChangeListener listener_;
};

}  // namespace rackboot::controller::push
