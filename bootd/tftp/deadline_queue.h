#pragma once
// DeadlineQueue: which transfers' retransmission timers are due, without
// scanning every transfer on every wake-up (a TFTP server with hundreds of
// windowed transfers wakes up thousands of times a second).
//
// A binary min-heap of (deadline, id) with lazy invalidation: each id has
// at most one live entry (its "scheduled" deadline); rescheduling to an
// earlier time pushes a new entry and the old one is skipped when popped;
// rescheduling to a later time only records it, and the early entry is
// re-pushed at the later time when it surfaces (timers mostly move later:
// every ACK re-arms them). So the heap holds O(ids) entries and a wake-up
// costs O(due * log n).

#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rackboot::bootd::tftp {

class DeadlineQueue {
 public:
  // Sets (or moves) the deadline of `id`.
  void Schedule(uint64_t id, int64_t deadline_ms);
  // Forgets `id` (its heap entries become stale).
  void Remove(uint64_t id);
  // Removes and returns, in deadline order, the ids whose deadline is
  // <= now_ms. A returned id is no longer scheduled.
  std::vector<uint64_t> PopDue(int64_t now_ms);
  // The earliest deadline (possibly a stale, earlier one: waking up early
  // is harmless, late is not).
  std::optional<int64_t> Next() const;
  size_t size() const { return wanted_.size(); }

 private:
  struct Entry {
    int64_t deadline_ms;
    uint64_t id;
    bool operator>(const Entry& o) const {
      return deadline_ms != o.deadline_ms ? deadline_ms > o.deadline_ms : id > o.id;
    }
  };
  struct Slot {
    int64_t wanted_ms;  // the deadline the owner asked for
    int64_t queued_ms;  // the earliest live heap entry for this id
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::unordered_map<uint64_t, Slot> wanted_;
};

}  // namespace rackboot::bootd::tftp
