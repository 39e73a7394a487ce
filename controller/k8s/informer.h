#pragma once
// Informer: a reflector (list, then watch from the list's resourceVersion,
// client-go style) feeding an indexed ObjectStore and calling handlers.
// - watches ask for bookmarks (which may never come) and use a random
//   timeoutSeconds of 5-10 min so replicas do not reconnect together;
// - transport errors back off 0.8 s -> 30 s with jitter;
// - 410 Gone, as an HTTP status or an in-stream ERROR event, relists.
// - objects are cached without metadata.managedFields (StripManagedFields):
//   about half the bytes of a Machine, never read by the controller.
// Handlers run on the informer's thread and should only enqueue keys.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "controller/k8s/api_client.h"
#include "controller/k8s/backoff.h"
#include "controller/k8s/object_store.h"

namespace rackboot::k8s {

struct InformerHandlers {
  // old is null for an add; new is null for a delete.
  std::function<void(const web::json::value* old_object, const web::json::value* new_object)> on_change;
};

struct InformerStats {
  std::atomic<uint64_t> lists{0};
  std::atomic<uint64_t> watches{0};
  std::atomic<uint64_t> relists_after_gone{0};
  std::atomic<uint64_t> watch_errors{0};
};

class Informer {
 public:
  Informer(std::shared_ptr<ApiClient> client, ResourceKind kind, std::string ns, InformerHandlers handlers);
  ~Informer();

  ObjectStore& store() { return store_; }
  const InformerStats& stats() const { return stats_; }

  void Start();
  void Stop();
  // True once the first list has been stored.
  bool HasSynced() const { return synced_.load(); }
  // Blocks until synced or stopped; returns HasSynced().
  bool WaitForSync();

  // Lists and watches only objects matching `selector` (e.g. the Secrets
  // labelled rackboot.io/secret=true). Call before Start.
  void SetLabelSelector(std::string selector) { label_selector_ = std::move(selector); }

  // Test hook: the watch timeout range in seconds (default 300..600).
  void SetWatchTimeoutRange(int min_seconds, int max_seconds);

 private:
  void Run(std::stop_token stop);
  bool ListAndStore(std::string* resource_version);
  // Returns true if the caller must relist (410), false to re-watch.
  bool WatchOnce(std::stop_token stop, std::string* resource_version, bool* failed);
  void SleepFor(std::stop_token stop, Duration d);

  std::shared_ptr<ApiClient> client_;
  ResourceKind kind_;
  std::string ns_;
  std::string label_selector_;
  InformerHandlers handlers_;
  ObjectStore store_;
  InformerStats stats_;
  std::atomic<bool> synced_{false};
  std::atomic<bool> stopping_{false};
  int timeout_min_ = 300, timeout_max_ = 600;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;
};

}  // namespace rackboot::k8s
