#include "bootd/tftp/deadline_queue.h"

namespace rackboot::bootd::tftp {

void DeadlineQueue::Schedule(uint64_t id, int64_t deadline_ms) {
  auto [it, inserted] = wanted_.try_emplace(id, Slot{deadline_ms, deadline_ms});
  if (inserted) {
    heap_.push({deadline_ms, id});
    return;
  }
  it->second.wanted_ms = deadline_ms;
  if (deadline_ms < it->second.queued_ms) {
    it->second.queued_ms = deadline_ms;
    heap_.push({deadline_ms, id});
  }
}

void DeadlineQueue::Remove(uint64_t id) {
  wanted_.erase(id);
}

std::vector<uint64_t> DeadlineQueue::PopDue(int64_t now_ms) {
  std::vector<uint64_t> due;
  while (!heap_.empty() && heap_.top().deadline_ms <= now_ms) {
    const Entry e = heap_.top();
    heap_.pop();
    auto it = wanted_.find(e.id);
    // Removed, or an entry superseded by an earlier one already handled.
    if (it == wanted_.end() || it->second.queued_ms != e.deadline_ms) continue;
    if (it->second.wanted_ms == e.deadline_ms) {
      due.push_back(e.id);
      wanted_.erase(it);
    } else {
      // Moved later since this entry was pushed: requeue at the real time
      // (popped again below if that is due too, in deadline order).
      it->second.queued_ms = it->second.wanted_ms;
      heap_.push({it->second.wanted_ms, e.id});
    }
  }
  // Keep stale entries from piling up when ids are removed en masse.
  if (heap_.size() > 2 * wanted_.size() + 64) {
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> fresh;
    for (auto& [id, slot] : wanted_) {
      slot.queued_ms = slot.wanted_ms;
      fresh.push({slot.wanted_ms, id});
    }
    heap_.swap(fresh);
  }
  return due;
}

std::optional<int64_t> DeadlineQueue::Next() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().deadline_ms;
}

}  // namespace rackboot::bootd::tftp
