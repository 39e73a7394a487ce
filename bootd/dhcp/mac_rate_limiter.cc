#include "bootd/dhcp/mac_rate_limiter.h"

#include <algorithm>

namespace rackboot::bootd::dhcp {

bool MacRateLimiter::Allow(const MacAddress& mac, int64_t now_millis) {
  if (rate_ == 0) return true;
  const double burst = 2.0 * rate_;
  auto it = buckets_.find(mac);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_macs_) {
      // Forget buckets idle long enough to be full again; if none, start over.
      for (auto i = buckets_.begin(); i != buckets_.end();) {
        i = (now_millis - i->second.last_millis) * rate_ / 1000.0 >= burst ? buckets_.erase(i) : std::next(i);
      }
      if (buckets_.size() >= max_macs_) buckets_.clear();
    }
    it = buckets_.emplace(mac, Bucket{burst, now_millis}).first;
  }
  Bucket& b = it->second;
  const int64_t elapsed = std::max<int64_t>(0, now_millis - b.last_millis);
  b.tokens = std::min(burst, b.tokens + elapsed * rate_ / 1000.0);
  b.last_millis = now_millis;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace rackboot::bootd::dhcp
