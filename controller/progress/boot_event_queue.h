#pragma once
// BootEventQueue: hands boot events from gRPC threads (PushObserver) to the
// status writer. Push never blocks on I/O: it takes a short lock and, when
// the queue is full (the API server is down for long), drops the event and
// counts it -- bootd already got its EventAck, so this is the one place
// progress can be lost, and it is visible in the count and the log.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::controller::progress {

struct RackBootEvent {
  std::string rack;  // from the stream's client certificate
  v1alpha1::BootEvent event;
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
