#include "controller/k8s/backoff.h"

#include <algorithm>

namespace rackboot::k8s {

Backoff::Backoff(Duration initial, Duration max, double jitter, uint32_t seed)
    : initial_(initial), max_(max), jitter_(jitter), rng_(seed) {}

Duration Backoff::Next() {
  current_ = current_.count() == 0 ? initial_ : std::min(max_, current_ * 2);
  std::uniform_real_distribution<double> extra(0.0, jitter_);
  return Duration(static_cast<int64_t>(static_cast<double>(current_.count()) * (1.0 + extra(rng_))));
}

Duration ItemBackoff::When(const std::string& item) {
  std::lock_guard lock(mu_);
  int n = failures_[item]++;
  if (n >= 40) return max_;  // 2^40 * 5 ms is far past any cap; avoid overflow
  auto d = base_ * (int64_t{1} << n);
  return std::min(d, max_);
}

void ItemBackoff::Forget(const std::string& item) {
  std::lock_guard lock(mu_);
  failures_.erase(item);
}

int ItemBackoff::Failures(const std::string& item) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(item);
  return it == failures_.end() ? 0 : it->second;
}

TokenBucket::TokenBucket(double per_second, int burst) : per_second_(per_second), burst_(burst), tokens_(burst) {}

Duration TokenBucket::Reserve(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (started_ && now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * per_second_);
  }
  if (!started_ || now > last_) last_ = now;
  started_ = true;
  tokens_ -= 1;  // may go negative: later callers queue behind
  if (tokens_ >= 0) return Duration(0);
  return Duration(static_cast<int64_t>(-tokens_ / per_second_ * 1000.0));
}

}  // namespace rackboot::k8s
