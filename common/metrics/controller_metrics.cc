#include "common/metrics/controller_metrics.h"

#include <vector>

#include "common/metrics/bootd_metrics.h"
#include "common/metrics/buckets.h"
#include "common/metrics/label_values.h"

namespace rackboot::metrics {

namespace {

using K = MetricKind;

const std::vector<MetricSpec>& Catalog() {
  static const std::vector<MetricSpec> catalog = {
      {kBuildInfo, K::kGauge, "Always 1; the labels name the component and its version.", {"component", "version"}},
      {kMachines, K::kGauge, "Machines by rack and status.phase.", {"rack", "phase"}},
      {kMachinesBootStage,
       K::kGauge,
       "Machines whose current or last boot attempt reached the stage, by rack (the machine funnel).",
       {"rack", "stage"}},
      {kMachinesBootLoop, K::kGauge, "Machines whose BootLoop condition is True, by rack.", {"rack"}},
      {kBootStagesTotal, K::kCounter, "Boot stages reached, by rack and stage (the boot funnel).", {"rack", "stage"}},
      {kBootStageDurationSeconds,
       K::kHistogram,
       "Seconds from the first DHCPDISCOVER of a boot attempt to reaching the stage.",
       {"rack", "stage"}},
      {kBootFailuresTotal, K::kCounter, "Failed boot attempts, by rack and reason.", {"rack", "reason"}},
      {kIpPoolAddresses, K::kGauge, "Addresses of a rack's pool, by state (allocated, free).", {"rack", "state"}},
      {kReconcilesTotal, K::kCounter, "Reconciles, by object kind and result.", {"kind", "result"}},
      {kReconcileDurationSeconds, K::kHistogram, "Duration of one reconcile, by object kind.", {"kind"}},
      {kWorkqueueDepth, K::kGauge, "Keys waiting in the workqueue.", {"queue"}},
      {kWorkqueueAddsTotal, K::kCounter, "Keys added to the workqueue.", {"queue"}},
      {kWorkqueueRetriesTotal, K::kCounter, "Keys re-added with backoff after a failed reconcile.", {"queue"}},
      {kWorkqueueQueueDurationSeconds,
       K::kHistogram,
       "Time a key waited in the workqueue before processing.",
       {"queue"}},
      {kKubeApiRequestsTotal, K::kCounter, "Kubernetes API requests, by verb and HTTP status code.", {"verb", "code"}},
      {kKubeApiRequestDurationSeconds,
       K::kHistogram,
       "Kubernetes API request latency (watches are counted, not timed).",
       {"verb"}},
      {kLeader, K::kGauge, "1 while this replica holds the leader election Lease.", {}},
      {kBootdConnected, K::kGauge, "1 while the rack's bootd has a stream open to this replica.", {"rack"}},
      {kBootdStreamsTotal, K::kCounter, "bootd streams accepted, by rack.", {"rack"}},
      {kAssignmentVersion, K::kGauge, "Assignment version last sent to the rack's bootd.", {"rack"}},
      {kBootdAckedVersion, K::kGauge, "Assignment version the rack's bootd last ACKed.", {"rack"}},
      {kAssignmentPushesTotal,
       K::kCounter,
       "Assignment updates sent to bootd, by rack and answer (ack, nack).",
       {"rack", "result"}},
  };
  return catalog;
}

const MetricSpec& Spec(std::string_view name) {
  return RequireSpec(Catalog(), name, "controller");
}

}  // namespace

std::span<const MetricSpec> ControllerMetricCatalog() {
  return Catalog();
}

ControllerMetrics::ControllerMetrics(prometheus::Registry& registry, const std::string& version)
    : build_info(AddGauge(registry, Spec(kBuildInfo))),
      machines(AddGauge(registry, Spec(kMachines))),
      machines_boot_stage(AddGauge(registry, Spec(kMachinesBootStage))),
      machines_boot_loop(AddGauge(registry, Spec(kMachinesBootLoop))),
      boot_stages(AddCounter(registry, Spec(kBootStagesTotal))),
      boot_stage_duration(AddHistogram(registry, Spec(kBootStageDurationSeconds))),
      boot_failures(AddCounter(registry, Spec(kBootFailuresTotal))),
      ip_pool_addresses(AddGauge(registry, Spec(kIpPoolAddresses))),
      reconciles(AddCounter(registry, Spec(kReconcilesTotal))),
      reconcile_duration(AddHistogram(registry, Spec(kReconcileDurationSeconds))),
      workqueue_depth(AddGauge(registry, Spec(kWorkqueueDepth))),
      workqueue_adds(AddCounter(registry, Spec(kWorkqueueAddsTotal))),
      workqueue_retries(AddCounter(registry, Spec(kWorkqueueRetriesTotal))),
      workqueue_queue_duration(AddHistogram(registry, Spec(kWorkqueueQueueDurationSeconds))),
      kube_api_requests(AddCounter(registry, Spec(kKubeApiRequestsTotal))),
      kube_api_request_duration(AddHistogram(registry, Spec(kKubeApiRequestDurationSeconds))),
      leader(AddGauge(registry, Spec(kLeader))),
      bootd_connected(AddGauge(registry, Spec(kBootdConnected))),
      bootd_streams(AddCounter(registry, Spec(kBootdStreamsTotal))),
      assignment_version(AddGauge(registry, Spec(kAssignmentVersion))),
      bootd_acked_version(AddGauge(registry, Spec(kBootdAckedVersion))),
      assignment_pushes(AddCounter(registry, Spec(kAssignmentPushesTotal))) {
  build_info.Add({{"component", "controller"}, {"version", version}}).Set(1);
  leader.Add({});
}

void ControllerMetrics::AddRack(const std::string& rack) {
  for (std::string_view phase : kMachinePhases) machines.Add({{"rack", rack}, {"phase", std::string(phase)}});
  for (std::string_view stage : kBootStages) {
    boot_stages.Add({{"rack", rack}, {"stage", std::string(stage)}});
    machines_boot_stage.Add({{"rack", rack}, {"stage", std::string(stage)}});
    BootStageDuration(rack, stage);
  }
  machines_boot_loop.Add({{"rack", rack}});
  bootd_connected.Add({{"rack", rack}});
  bootd_streams.Add({{"rack", rack}});
  assignment_version.Add({{"rack", rack}});
  bootd_acked_version.Add({{"rack", rack}});
  ip_pool_addresses.Add({{"rack", rack}, {"state", "allocated"}});
  ip_pool_addresses.Add({{"rack", rack}, {"state", "free"}});
}

prometheus::Histogram& ControllerMetrics::BootStageDuration(std::string_view rack, std::string_view stage) {
  return boot_stage_duration.Add({{"rack", std::string(rack)}, {"stage", std::string(stage)}}, kBootStageBuckets);
}

prometheus::Histogram& ControllerMetrics::ReconcileDuration(std::string_view kind) {
  return reconcile_duration.Add({{"kind", std::string(kind)}}, kFastOperationBuckets);
}

prometheus::Histogram& ControllerMetrics::WorkqueueQueueDuration(std::string_view queue) {
  return workqueue_queue_duration.Add({{"queue", std::string(queue)}}, kFastOperationBuckets);
}

prometheus::Histogram& ControllerMetrics::KubeApiRequestDuration(std::string_view verb) {
  return kube_api_request_duration.Add({{"verb", std::string(verb)}}, kFastOperationBuckets);
}

}  // namespace rackboot::metrics
