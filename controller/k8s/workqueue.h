#pragma once
// Rate-limited, deduplicating work queue of object keys (client-go's
// workqueue semantics): a key queued many times is processed once; a key
// being processed is never handed to a second worker, and if it is added
// meanwhile it is queued again after Done(). Reconcile is level-triggered:
// the key says "look at this object again", never what changed.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "controller/k8s/backoff.h"
#include "controller/k8s/workqueue_observer.h"

namespace rackboot::k8s {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  void Add(const std::string& key);
  void AddAfter(const std::string& key, Duration delay);
  // Requeue after the key's exponential backoff (a failed reconcile), or
  // later if the overall retry budget (token bucket) is spent.
  void AddRateLimited(const std::string& key);
  // The key succeeded: reset its backoff.
  void Forget(const std::string& key) { backoff_.Forget(key); }
  int NumRequeues(const std::string& key) const { return backoff_.Failures(key); }

  // Blocks until a key is ready; nullopt after ShutDown.
  std::optional<std::string> Get();
  void Done(const std::string& key);
  void ShutDown();

  size_t Len() const;
  // Optional metrics hook; set before use, not owned.
  void SetObserver(WorkQueueObserver* observer) { observer_ = observer; }

 private:
  void PromoteDueLocked(Clock::time_point now);
  void AddLocked(const std::string& key);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or to be re-queued
  std::set<std::string> processing_;  // handed to a worker
  std::multimap<Clock::time_point, std::string> delayed_;
  bool shutting_down_ = false;
  std::map<std::string, Clock::time_point> queued_at_;  // for observer_->OnGet
  WorkQueueObserver* observer_ = nullptr;
  ItemBackoff backoff_;
  TokenBucket bucket_;
};

}  // namespace rackboot::k8s
