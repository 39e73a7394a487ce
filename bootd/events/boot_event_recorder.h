#pragma once
// BootEventRecorder: keeps recent boot events per MAC (bounded) and hands
// them to subscribers (the gRPC stream, logs). Thread-safe; Record() is cheap
// enough for the packet path.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "bootd/events/boot_event.h"

namespace rackboot::bootd {

class BootEventRecorder {
 public:
  explicit BootEventRecorder(size_t max_events_per_mac = 64, size_t max_macs = 4096);

  // Fills sequence and, when zero, the timestamp; logs the event.
  void Record(BootEvent event);
  std::vector<BootEvent> EventsFor(const MacAddress& mac) const;
  std::vector<BootEvent> EventsSince(uint64_t sequence) const;  // across MACs, oldest first
  using Subscriber = std::function<void(const BootEvent&)>;
  void Subscribe(Subscriber subscriber);

 private:
  size_t max_per_mac_;
  size_t max_macs_;
  mutable std::mutex mu_;
  uint64_t next_sequence_ = 1;
  std::map<MacAddress, std::deque<BootEvent>> by_mac_;
  std::deque<MacAddress> mac_order_;  // first-seen order, for eviction
  // Copy-on-write: Record() takes a reference instead of copying every
  // std::function on each event.
  std::shared_ptr<const std::vector<Subscriber>> subscribers_;
};

}  // namespace rackboot::bootd
