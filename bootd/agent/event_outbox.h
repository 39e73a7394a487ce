#pragma once
// EventOutbox: boot events waiting for the controller's EventAck. Bounded:
// when full, the oldest events are dropped and counted (a long outage must
// not grow memory without limit). Every new stream resends everything still
// here; the controller drops duplicates. Thread-safe.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::bootd::agent {

class EventOutbox {
 public:
  explicit EventOutbox(size_t capacity = 10000) : capacity_(capacity == 0 ? 1 : capacity) {}

  void Push(v1alpha1::BootEvent event) {
    std::lock_guard<std::mutex> lock(mu_);
    if (event.sequence() <= acked_through_) return;  // delivered already
    // Kept in sequence order without repeats: the same event may come from
    // the live subscription and from the start-up backlog.
    auto pos = std::lower_bound(queue_.begin(), queue_.end(), event.sequence(),
                                [](const v1alpha1::BootEvent& e, uint64_t s) { return e.sequence() < s; });
    if (pos != queue_.end() && pos->sequence() == event.sequence()) return;
    queue_.insert(pos, std::move(event));
    while (queue_.size() > capacity_) {
      queue_.pop_front();
      ++dropped_;
    }
  }
  // The oldest pending event with a sequence above `after`, if any.
  std::optional<v1alpha1::BootEvent> NextAfter(uint64_t after) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& e : queue_) {
      if (e.sequence() > after) return e;
    }
    return std::nullopt;
  }
  // Cumulative: forgets every event with sequence <= `sequence`.
  void Ack(uint64_t sequence) {
    std::lock_guard<std::mutex> lock(mu_);
    acked_through_ = std::max(acked_through_, sequence);
    while (!queue_.empty() && queue_.front().sequence() <= sequence) queue_.pop_front();
    changed_.notify_all();
  }
  // Returns once nothing is pending, `give_up()` holds (checked after every
  // Ack and Wake) or `deadline` has passed; true if nothing is pending.
  template <typename GiveUp>
  bool WaitEmpty(std::chrono::steady_clock::time_point deadline, GiveUp give_up) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_until(lock, deadline, [&] { return queue_.empty() || give_up(); });
    return queue_.empty();
  }
  // Re-checks WaitEmpty's `give_up` (its answer changed).
  void Wake() {
    std::lock_guard<std::mutex> lock(mu_);
    changed_.notify_all();
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }
  uint64_t dropped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return dropped_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<v1alpha1::BootEvent> queue_;  // increasing sequence
  uint64_t dropped_ = 0;
  uint64_t acked_through_ = 0;
};

}  // namespace rackboot::bootd::agent
