#pragma once
// WorkQueueObserver: an optional hook WorkQueue calls (metrics; see
// controller/metrics/). Mostly called with the queue's lock held:
// implementations must be quick, thread-safe, and must not call back into
// the queue.

namespace rackboot::k8s {

class WorkQueueObserver {
 public:
  virtual ~WorkQueueObserver() = default;
  virtual void OnAdd() = 0;    // a key entered the queue (not a duplicate)
  virtual void OnRetry() = 0;  // AddRateLimited: a failed key comes back later
  // A worker took a key that waited `seconds` since it was added.
  virtual void OnGet(double seconds) = 0;
};

}  // namespace rackboot::k8s
