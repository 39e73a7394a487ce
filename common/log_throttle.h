#pragma once
// LogThrottle: one log line per interval for an event that can happen
// thousands of times a second (a boot storm at capacity), carrying how many
// events it stands for, so an operator sees the overload without the log
// drowning in it. Thread-safe.

#include <cstdint>
#include <mutex>

namespace rackboot::log {

class LogThrottle {
 public:
  explicit LogThrottle(int64_t interval_ms) : interval_ms_(interval_ms) {}

  // Counts one event at `now_ms`. Returns the number of events since the
  // last line (this one included) when a line is due now, else 0.
  uint64_t Note(int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    ++pending_;
    if (started_ && now_ms - last_ms_ < interval_ms_) return 0;
    started_ = true;
    last_ms_ = now_ms;
    const uint64_t n = pending_;
    pending_ = 0;
    return n;
  }

 private:
  std::mutex mu_;
  int64_t interval_ms_;
  int64_t last_ms_ = 0;
  bool started_ = false;
  uint64_t pending_ = 0;
};

}  // namespace rackboot::log
