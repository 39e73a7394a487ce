#pragma once
// PushBridge: joins reconcile (MachineController::Assignments()) to the gRPC
// push (RackSnapshotCache + AssignmentPushServer).
//
// Level-triggered: a sync thread (every `sync_interval`) regroups the
// controller's resolved assignments by rack, converts each to a proto
// HostAssignment (with the BootProfile's kernel/initrds/cmdline/templates
// from the profile informer cache) and hands the whole rack to
// RackSnapshotCache::SetRack. SetRack is idempotent and diffs, so only
// machines whose assignment was added, changed or removed reach bootd; a
// rack that lost its last machine gets an empty SetRack (removal).
//
// Only the leader pushes: the push server is started only after this
// replica leads AND the cache holds the first full sync. A standby never
// listens, so bootd's stream fails and bootd keeps serving its persisted
// snapshot; it never sees an empty snapshot from a cold standby (which
// would wipe its assignments).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "controller/progress/boot_event_queue.h"
#include "controller/push/push_observer.h"
#include "controller/push/push_server.h"
#include "controller/push/rack_snapshot_cache.h"
#include "controller/reconcile/machine_controller.h"

namespace rackboot::controller {

// Pure conversion; `profile` is the BootProfile object (null if not cached).
v1alpha1::HostAssignment ToHostAssignment(const ResolvedAssignment& a, const web::json::value* profile);

class PushBridge : public push::PushObserver {
 public:
  PushBridge(MachineController& machines, push::PushServerOptions options,
             std::chrono::milliseconds sync_interval = std::chrono::milliseconds(500));
  ~PushBridge() override;

  // This replica leads with fencing epoch `epoch` (leaseTransitions): starts
  // the sync thread, which starts the push server after the first sync.
  void StartLeading(int64_t epoch);
  void Stop();

  // Boot events go to `queue` (the BootStatusWriter's); set before
  // StartLeading. Without it they are only logged.
  void SetBootEventQueue(progress::BootEventQueue* queue) { boot_events_ = queue; }

  // PushObserver (gRPC threads): boot events are queued, never written here.
  void OnBootEvent(const std::string& rack, const v1alpha1::BootEvent& event) override;
  // Queues the event for the status writer, which calls `stored` after the
  // write: only then does bootd get its EventAck.
  void AcceptBootEvent(const std::string& rack, const v1alpha1::BootEvent& event,
                       std::function<void()> stored) override;
  void OnAck(const std::string& rack, uint64_t version) override;
  void OnNack(const std::string& rack, uint64_t version, const std::string& error_detail,
              const std::vector<std::string>& machines) override;

 private:
  void SyncOnce();
  void Loop(std::stop_token st);

  MachineController& machines_;
  push::PushServerOptions options_;
  std::chrono::milliseconds interval_;
  push::RackSnapshotCache cache_;
  std::unique_ptr<push::AssignmentPushServer> server_;
  std::set<std::string> racks_seen_;
  progress::BootEventQueue* boot_events_ = nullptr;
  std::jthread thread_;
};

}  // namespace rackboot::controller
