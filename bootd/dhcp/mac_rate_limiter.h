#pragma once
// MacRateLimiter: token bucket per client MAC, so one looping or malicious
// client cannot starve the others (issue 3, "Bad input"). Bounded: when the
// table is full the oldest-refilled buckets are forgotten. Not thread-safe
// (the receive thread owns it).

#include <cstdint>
#include <unordered_map>

#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

class MacRateLimiter {
 public:
  // `per_second` 0 = unlimited. Burst is 2x the rate (firmware retries fast).
  explicit MacRateLimiter(uint32_t per_second, size_t max_macs = 65536) : rate_(per_second), max_macs_(max_macs) {}
  // True when a packet from `mac` at `now_millis` may pass.
  bool Allow(const MacAddress& mac, int64_t now_millis);
  size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t last_millis = 0;
  };
  struct MacHash {
    size_t operator()(const MacAddress& m) const {
      uint64_t v = 0;
      for (uint8_t b : m.bytes()) v = (v << 8) | b;
      return std::hash<uint64_t>()(v);
    }
  };
  uint32_t rate_;
  size_t max_macs_;
  std::unordered_map<MacAddress, Bucket, MacHash> buckets_;
};

}  // namespace rackboot::bootd::dhcp
