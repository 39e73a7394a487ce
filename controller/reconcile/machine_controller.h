#pragma once
// Applies DecideMachine against the API server: informers for Machines and
// BootProfiles feed a workqueue; workers (only while this replica leads)
// reconcile one key at a time: finalizer first, then the IP claim, then a
// /status write with conflict retry (re-read on 409 and decide again), then
// Events (queued to an EventSink, best effort). A BootProfile change
// re-queues every Machine that references it (the "profile" index).
// Requests per new Machine: one finalizer merge PATCH and one /status PUT
// (the finalizer must go through the main resource, status only through
// /status); Events are rate limited and off the reconcile path.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "controller/config/controller_config.h"
#include "controller/k8s/api_client.h"
#include "controller/k8s/event_sink.h"
#include "controller/k8s/informer.h"
#include "controller/k8s/workqueue.h"
#include "controller/push/assignment_publisher.h"
#include "controller/reconcile/ip_allocator.h"
#include "controller/reconcile/machine_decision.h"
#include "controller/reconcile/reconcile_observer.h"

namespace rackboot::controller {

const k8s::ResourceKind& MachineKind();
const k8s::ResourceKind& BootProfileKind();
const k8s::ResourceKind& EventKind();

// Cache index names on the Machine store.
inline constexpr const char* kIndexByMac = "mac";
inline constexpr const char* kIndexByRack = "rack";
inline constexpr const char* kIndexByProfile = "profile";  // "ns/profile"
// On the Machine and the BootProfile store: "ns/secret" of each Secret the
// object references (a Secret change re-queues the Machines using it).
inline constexpr const char* kIndexBySecret = "secret";

struct MachineControllerOptions {
  std::string namespace_;  // empty: all namespaces
  // One Secret informer per namespace, selecting rackboot.io/secret=true
  // (ControllerConfig::secret_namespaces).
  std::vector<std::string> secret_namespaces;
  std::vector<RackNetwork> racks;
  // Reconciles run in parallel on different keys (a key is never on two
  // workers); each mostly waits for the API server, so more workers than
  // cores pays off. The IP table is shared under one mutex.
  int workers = 8;
  std::string identity;  // Events' reportingInstance
  // Optional metrics hooks, not owned.
  ReconcileObserver* observer = nullptr;
  k8s::WorkQueueObserver* queue_observer = nullptr;
};

class MachineController {
 public:
  MachineController(std::shared_ptr<k8s::ApiClient> client, MachineControllerOptions options);
  ~MachineController();

  // Starts the informers (every replica keeps a warm cache).
  void Start();
  // This replica became leader: on a thread of its own (the caller is the
  // elector, which must keep renewing), wait for the caches, rebuild the IP
  // table from a fresh list of all Machines, queue every Machine, start the
  // workers.
  void StartLeading(int64_t epoch);
  bool leading_ready() const { return leading_ready_.load(); }
  void Stop();

  // One reconcile pass for a key ("ns/name"); public for tests and tools.
  Status Reconcile(const std::string& key);

  k8s::Informer& machines() { return *machines_; }
  k8s::Informer& profiles() { return *profiles_; }
  // True once every Secret informer has listed.
  bool SecretsSynced() const;
  // Where reconcile publishes each Machine's HostAssignment (upsert when
  // Assigned, removal otherwise); event-driven, no polling. Set before
  // StartLeading; without one (no push configured) nothing is published.
  void SetAssignmentPublisher(push::AssignmentPublisher* publisher) { publisher_ = publisher; }
  // Called once per leadership, on the leading thread, after the publisher
  // holds every Machine whose address is durable and before any worker runs:
  // the moment bootd may hear from this replica. Set before StartLeading.
  void SetLeadingReadyListener(std::function<void(int64_t epoch)> listener) { on_ready_ = std::move(listener); }
  // Called (on an informer thread) with the key "ns/profile" of every
  // BootProfile whose status may change: the profile changed, or a Machine
  // referencing it (before or after) did. For BootProfileController; set
  // before Start.
  void SetProfileChangeListener(std::function<void(const std::string& profile_key)> listener) {
    on_profile_change_ = std::move(listener);
  }
  int64_t epoch() const { return epoch_.load(); }
  uint64_t reconciles() const { return reconciles_.load(); }
  size_t queue_depth() const { return queue_.Len(); }
  // 409s met (finalizer or status writes), each followed by a re-read.
  uint64_t conflicts() const { return conflicts_.load(); }

  // The cached values of the Secrets `m` and `profile` reference (also for
  // BootProfileController, so a profile's status judges its Machines with
  // the Secrets they will be resolved with).
  resolve::SecretData CachedSecrets(const model::Machine& m, const model::BootProfile* profile) const;

 private:
  void Worker();
  void LeadingSetUp();
  Status RebuildAllocations();
  Status Finalize(const model::Machine& m);
  Result<web::json::value> EnsureFinalizer(web::json::value object);
  // GET after a 409 (counted in conflicts()); null if the Machine is gone.
  Result<web::json::value> Reread(const model::ObjectMeta& meta);
  // Our own writes reach the cache later as watch events; a reconcile that
  // meets one of the intermediate versions (before our last write) would
  // decide on stale data and pay a 409 + re-read. Skipping is safe: the
  // newer version we wrote is still to come through the watch.
  bool IsOwnStaleVersion(const std::string& key, const std::string& resource_version);
  void RememberStaleVersions(const std::string& key, std::vector<std::string> versions);
  std::vector<std::string> OlderMachinesSharingAMac(const model::Machine& m) const;
  std::optional<model::BootProfile> CachedProfile(const model::Machine& m) const;
  // Publishes `a` for `key` (nullopt: removal), removing it from its old
  // rack when the rack changed. Serialised, so publisher calls keep order.
  void Publish(const std::string& key, std::optional<ResolvedAssignment> a);
  // Leading start-up: publishes every rack whole (SetRack) from the cache.
  void SeedAssignments();
  void RecordEvent(const model::Machine& m, const DecidedEvent& e);

  std::shared_ptr<k8s::ApiClient> client_;
  MachineControllerOptions options_;
  std::unique_ptr<k8s::Informer> machines_;
  std::unique_ptr<k8s::Informer> profiles_;
  std::map<std::string, std::unique_ptr<k8s::Informer>> secrets_;  // by namespace
  k8s::WorkQueue queue_;

  std::mutex alloc_mu_;  // serialises decide + claim across workers
  IpAllocator ips_;

  mutable std::mutex assignments_mu_;
  std::map<std::string, ResolvedAssignment> assignments_;  // as published
  push::AssignmentPublisher* publisher_ = nullptr;
  std::function<void(int64_t)> on_ready_;
  std::function<void(const std::string&)> on_profile_change_;

  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> epoch_{0};
  std::atomic<uint64_t> reconciles_{0};
  std::atomic<uint64_t> conflicts_{0};
  std::atomic<uint64_t> event_seq_{0};
  std::unique_ptr<k8s::EventSink> events_;
  std::mutex stale_mu_;
  std::map<std::string, std::vector<std::string>> stale_versions_;
  std::atomic<bool> leading_ready_{false};
  std::jthread leading_thread_;
  std::vector<std::jthread> workers_;
};

}  // namespace rackboot::controller
