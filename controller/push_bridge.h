#pragma once
// PushBridge: joins reconcile to the gRPC push (RackSnapshotCache +
// AssignmentPushServer).
//
// Event-driven: the bridge hands its RackSnapshotCache to MachineController
// as the AssignmentPublisher, so every reconcile publishes that Machine's
// HostAssignment (upsert) or its removal the moment it decides; the cache
// diffs and versions per rack, and each stream sends the delta.
//
// Only the leader pushes: the push server starts when MachineController
// reports leading-ready, i.e. after it published every rack whole from the
// cache (MachineController::SeedAssignments). A standby never listens, so
// bootd's stream fails and bootd keeps serving its persisted snapshot; it
// never sees an empty snapshot from a cold standby (which would wipe its
// assignments).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controller/progress/boot_event_queue.h"
#include "controller/push/push_observer.h"
#include "controller/push/push_server.h"
#include "controller/push/rack_snapshot_cache.h"
#include "controller/reconcile/machine_controller.h"

namespace rackboot::controller {

class PushBridge : public push::PushObserver {
 public:
  // Registers itself with `machines` (publisher, leading-ready listener):
  // construct before machines.StartLeading.
  PushBridge(MachineController& machines, push::PushServerOptions options);
  ~PushBridge() override;

  // This replica leads with fencing epoch `epoch` (leaseTransitions). The
  // server itself starts on MachineController's leading-ready signal.
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
  // Leading-ready listener (MachineController's leading thread).
  void StartServing(int64_t epoch);
  void SetEpoch(int64_t epoch);

  push::PushServerOptions options_;
  push::RackSnapshotCache cache_;
  std::mutex server_mu_;  // StartServing vs Stop
  bool stopped_ = false;
  std::unique_ptr<push::AssignmentPushServer> server_;
  progress::BootEventQueue* boot_events_ = nullptr;
};

}  // namespace rackboot::controller
