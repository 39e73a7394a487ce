#pragma once
// Copies a component's own monotonic count (an atomic it already keeps)
// into a Prometheus counter at scrape time. Only the scrape hook may write
// such a counter, so its current value is the last copied total.

#include <prometheus/counter.h>

#include <cstdint>

namespace rackboot::metrics {

inline void SyncCounter(prometheus::Counter& counter, uint64_t total) {
  const double delta = static_cast<double>(total) - counter.Value();
  if (delta > 0) counter.Increment(delta);
}

}  // namespace rackboot::metrics
