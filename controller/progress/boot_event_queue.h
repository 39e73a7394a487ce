#pragma once
// BootEventQueue: hands boot events from gRPC threads (PushObserver) to the
// status writer. Push never blocks on I/O: it takes a short lock and, when
// the queue is full (the API server is down for long), drops the event and
// counts it. bootd gets its EventAck for an event only after `stored` ran
// (the writer calls it once the status is written or given up), so a
// controller killed with events queued gets them again from bootd.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::controller::progress {

struct RackBootEvent {
  std::string rack;  // from the stream's client certificate
  v1alpha1::BootEvent event;
  std::function<void()> stored;  // may be empty; called once, after the write
  int failed_writes = 0;         // the writer retries a few times, then gives up
};

class BootEventQueue {
 public:
  explicit BootEventQueue(size_t capacity = 100000) : capacity_(capacity) {}

  // Returns false (and counts) when full or closed.
  bool Push(RackBootEvent e) {
    {
      std::lock_guard lock(mu_);
      if (closed_ || items_.size() >= capacity_) {
        ++dropped_;
        return false;
      }
      items_.push_back(std::move(e));
    }
    cv_.notify_one();
    return true;
  }

  // Puts events whose write failed back in front of newer ones, in their
  // order, so a Machine's events are still merged in arrival order. Returns
  // false (events untouched) when closed.
  bool Requeue(std::vector<RackBootEvent>& events) {
    std::lock_guard lock(mu_);
    if (closed_) return false;
    items_.insert(items_.begin(), std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
    events.clear();
    return true;
  }

  // Waits up to `wait` for at least one event, then takes everything queued
  // (in arrival order). Empty after Close().
  std::vector<RackBootEvent> PopAll(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return closed_ || !items_.empty(); });
    std::vector<RackBootEvent> out(std::make_move_iterator(items_.begin()), std::make_move_iterator(items_.end()));
    items_.clear();
    return out;
  }

  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  uint64_t dropped() const {
    std::lock_guard lock(mu_);
    return dropped_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RackBootEvent> items_;
  bool closed_ = false;
  uint64_t dropped_ = 0;
};

}  // namespace rackboot::controller::progress
