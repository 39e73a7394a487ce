#pragma once
// Capped exponential backoff with "equal jitter" (AWS architecture blog,
// "Exponential Backoff And Jitter"): c = min(cap, base * 2^n), delay uniform
// in [c/2, c].
// Jitter spreads a fleet of bootds reconnecting after a controller restart.
// Pure: the random source is passed in.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace rackboot::bootd::agent {

class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::milliseconds base, std::chrono::milliseconds cap) : base_(base), cap_(cap) {}

  // Upper bound of the next delay (before jitter).
  std::chrono::milliseconds Ceiling() const {
    const int shift = std::min(attempt_, 30);
    const int64_t c = base_.count() << shift;
    return std::chrono::milliseconds(std::min<int64_t>(c, cap_.count()));
  }
  template <typename Rng>
  std::chrono::milliseconds Next(Rng& rng) {
    const int64_t ceiling = Ceiling().count();
    ++attempt_;
    std::uniform_int_distribution<int64_t> dist(ceiling / 2, ceiling);  // half jitter: never hammer at 0 ms
    return std::chrono::milliseconds(dist(rng));
  }
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  int attempt_ = 0;
};

}  // namespace rackboot::bootd::agent
