#pragma once
// ControllerMetricsBridge: fills the controller's metric catalog
// (common/metrics/controller_metrics.h) from its components.
//  - hooks: reconcile passes (ReconcileObserver), the workqueue
//    (WorkQueueObserver), the push server (PushObserver: bootd streams per
//    rack, ACK/NACK, boot events -> stage counts and durations);
//  - Refresh(), the scrape hook: machines by rack and phase and pool
//    addresses from the informer cache, workqueue depth.
// Labels are bounded: configured racks (plus racks Machines name), phases,
// stages, a fixed set of failure reasons; never a Machine or MAC.

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/metrics/controller_metrics.h"
#include "controller/config/controller_config.h"
#include "controller/k8s/workqueue_observer.h"
#include "controller/push/push_observer.h"
#include "controller/reconcile/reconcile_observer.h"

namespace rackboot::controller {

class MachineController;

// The `reason` label of rackboot_boot_failures_total for an error event's
// detail text: ScriptRenderFailed|ArtifactUnavailable|BootError.
std::string_view BootFailureReason(std::string_view detail);

class ControllerMetricsBridge : public ReconcileObserver, public k8s::WorkQueueObserver, public push::PushObserver {
 public:
  // Pre-creates the per-rack series of every configured rack.
  ControllerMetricsBridge(metrics::ControllerMetrics& metrics, std::vector<RackNetwork> racks);

  // The controller whose cache the scrape hook reads (null: none yet).
  void Watch(MachineController* machines);
  void SetLeader(bool leader);
  // The scrape hook.
  void Refresh();

  void OnReconcile(std::string_view kind, bool ok, double seconds) override;

  void OnAdd() override;
  void OnRetry() override;
  void OnGet(double seconds) override;

  void OnBootEvent(const std::string& rack, const v1alpha1::BootEvent& event) override;
  void OnAck(const std::string& rack, uint64_t version) override;
  void OnNack(const std::string& rack, uint64_t version, const std::string& error_detail,
              const std::vector<std::string>& machines) override;
  void OnStreamOpened(const std::string& rack) override;
  void OnStreamClosed(const std::string& rack) override;
  void OnUpdateSent(const std::string& rack, uint64_t version) override;

 private:
  // Start (first DHCPDISCOVER) of the current boot attempt per (rack, MAC),
  // bounded: the oldest attempt goes when a rack floods us with MACs.
  static constexpr size_t kMaxTrackedBoots = 16384;
  using BootKey = std::pair<std::string, std::string>;

  metrics::ControllerMetrics& m_;
  const std::vector<RackNetwork> racks_;
  std::mutex mu_;
  MachineController* machines_ = nullptr;
  std::set<std::string> racks_seen_;            // racks with a machines{} series
  std::map<std::string, int> streams_by_rack_;  // open bootd streams
  std::map<BootKey, int64_t> boot_started_ms_;
};

}  // namespace rackboot::controller
