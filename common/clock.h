#pragma once
// The two clocks bootd's services read: a monotonic one for timeouts,
// deadlines and rate limits (never jumps with the wall clock), and Unix time
// for what is shown to people or stored (records, Last-Modified).

#include <chrono>
#include <cstdint>

namespace rackboot {

// Milliseconds on the monotonic clock (an arbitrary epoch: compare, never show).
inline int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Seconds since the Unix epoch (wall clock).
inline int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace rackboot
