#pragma once
// Delays between retries. Pure (the random source is injected) so tests can
// check the sequence without sleeping.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

namespace rackboot::k8s {

using Duration = std::chrono::milliseconds;

// Reconnect backoff of client-go's reflector: 0.8 s doubling to 30 s, each
// delay stretched by up to `jitter` x itself so replicas do not reconnect in
// lockstep after an API server restart.
class Backoff {
 public:
  Backoff(Duration initial = Duration(800), Duration max = Duration(30000), double jitter = 1.0,
          uint32_t seed = std::random_device{}());
  Duration Next();
  void Reset() { current_ = Duration(0); }

 private:
  Duration initial_, max_;
  double jitter_;
  Duration current_{0};
  std::mt19937 rng_;
};

// Per-item exponential delay for the workqueue: 5 ms * 2^failures, capped at
// 1000 s (client-go's ItemExponentialFailureRateLimiter). Thread-safe.
class ItemBackoff {
 public:
  ItemBackoff(Duration base = Duration(5), Duration max = Duration(1000 * 1000)) : base_(base), max_(max) {}
  Duration When(const std::string& item);  // and counts one more failure
  void Forget(const std::string& item);
  int Failures(const std::string& item) const;

 private:
  Duration base_, max_;
  mutable std::mutex mu_;
  std::map<std::string, int> failures_;
};

// Overall limit on retries (client-go's BucketRateLimiter: 10/s, burst 100),
// so a storm of failing keys cannot hammer the API server even when each
// key's own backoff is still short. Reserve() books a token and returns how
// long to wait for it. Thread-safe; time is passed in for tests.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(double per_second = 10, int burst = 100);
  Duration Reserve(Clock::time_point now = Clock::now());

 private:
  std::mutex mu_;
  double per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace rackboot::k8s
