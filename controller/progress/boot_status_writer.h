#pragma once
// BootStatusWriter: drains the BootEventQueue on a thread of its own and
// writes boot progress into Machine status through /status.
//
// Events are grouped per Machine; each group is one read-merge-write: GET
// the Machine (fresh: the informer cache may lag the writes of reconcile),
// MergeBootEvent every event in order, PUT /status with the read
// resourceVersion; on 409 Conflict re-read and merge again, so a concurrent
// reconcile write is never lost and never overwrites progress. Kubernetes
// Events (one per stage reached, failures, BootLoop) are emitted after the
// write succeeded, through a k8s::EventSink (queued, rate limited, best
// effort: Events repeat what the status already says).
//
// Events without a machine name come from MACs bootd has no assignment for:
// their DHCP fingerprint goes into an existing Machine with that MAC (found
// through the informer's MAC index), or, with discovery enabled, a Machine in
// phase Discovered is created for them.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "controller/k8s/api_client.h"
#include "controller/k8s/event_sink.h"
#include "controller/k8s/object_store.h"
#include "controller/progress/boot_event_merge.h"
#include "controller/progress/boot_event_queue.h"
#include "controller/progress/discovered_machine.h"

namespace rackboot::controller::progress {

struct BootStatusWriterOptions {
  int loop_threshold = 3;
  DiscoveryOptions discovery;
  std::string identity;  // Events' reportingInstance
};

class BootStatusWriter {
 public:
  // `machines` (the Machine informer's store, with the "mac" index) finds
  // Machines for events without a machine name; may be null.
  BootStatusWriter(std::shared_ptr<k8s::ApiClient> client, BootEventQueue& queue, BootStatusWriterOptions options,
                   const k8s::ObjectStore* machines);
  ~BootStatusWriter();

  void Start();
  void Stop();  // writes what is queued, then returns

  // One pass over `events` (the thread's body; public for tests).
  bool Process(std::vector<RackBootEvent> events);

  uint64_t status_writes() const { return writes_.load(); }
  uint64_t conflicts() const { return conflicts_.load(); }
  uint64_t discovered() const { return discovered_.load(); }

 private:
  // Merges `events` into Machine ns/name; false when it is gone.
  Status WriteMachine(const std::string& ns, const std::string& name, const std::vector<const RackBootEvent*>& events,
                      bool fingerprint_only, bool mark_discovered);
  Status HandleUnknownMac(const std::string& mac, const std::vector<const RackBootEvent*>& events);
  void RecordEvent(const model::Json& machine, const BootNote& note);

  std::shared_ptr<k8s::ApiClient> client_;
  BootEventQueue& queue_;
  BootStatusWriterOptions options_;
  const k8s::ObjectStore* machines_;
  std::set<std::string> created_;  // MACs we created a Discovered Machine for (writer thread only)
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> conflicts_{0};
  std::atomic<uint64_t> discovered_{0};
  std::atomic<uint64_t> event_seq_{0};
  std::unique_ptr<k8s::EventSink> events_;
  std::thread thread_;
};

}  // namespace rackboot::controller::progress
