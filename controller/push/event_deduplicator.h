#pragma once
// EventDeduplicator: bootd resends unacknowledged boot events on every new
// stream, so the controller may see one twice. Events are unique by
// (rack, boot_id, sequence) and arrive in sequence order per boot_id; this
// remembers the highest delivered sequence per (rack, boot_id), bounded.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace rackboot::controller::push {

class EventDeduplicator {
 public:
  explicit EventDeduplicator(size_t max_sources = 4096) : max_sources_(max_sources) {}

  // True when the event is new (and records it); false for a duplicate.
  bool Accept(const std::string& rack, const std::string& boot_id, uint64_t sequence) {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = std::make_pair(rack, boot_id);
    auto [it, inserted] = highest_.try_emplace(key, 0);
    if (inserted) {
      order_.push_back(key);
      if (order_.size() > max_sources_) {
        highest_.erase(order_.front());
        order_.pop_front();
      }
    }
    if (sequence <= it->second) return false;
    it->second = sequence;
    return true;
  }

 private:
  const size_t max_sources_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> highest_;
  std::deque<std::pair<std::string, std::string>> order_;
};

}  // namespace rackboot::controller::push
