#pragma once
// rackboot-controller's metric catalog and families. Per-rack series carry a
// `rack` label (racks come from the controller's config: bounded); nothing
// is labelled per Machine.

#include <prometheus/registry.h>

#include <span>
#include <string>
#include <string_view>

#include "common/metrics/metric_spec.h"

namespace rackboot::metrics {

// Machines and boots. phase: label_values.h kMachinePhases; stage: kBootStages.
inline constexpr std::string_view kMachines = "rackboot_machines";
// The machine funnel: machines whose current (or last) boot attempt reached
// `stage` (status.bootProgress.stages), by rack. Counts machines, not events:
// a machine that retransmits DISCOVER ten times is one.
inline constexpr std::string_view kMachinesBootStage = "rackboot_machines_boot_stage";
// Machines whose BootLoop condition is True, by rack.
inline constexpr std::string_view kMachinesBootLoop = "rackboot_machines_boot_loop";
inline constexpr std::string_view kBootStagesTotal = "rackboot_boot_stages_total";
// Seconds from the first DHCPDISCOVER of a boot attempt to reaching `stage`.
inline constexpr std::string_view kBootStageDurationSeconds = "rackboot_boot_stage_duration_seconds";
// reason: CamelCase condition reasons (DhcpTimeout, ArtifactNotFound, ...): a fixed set.
inline constexpr std::string_view kBootFailuresTotal = "rackboot_boot_failures_total";
// rack, state: allocated|free
inline constexpr std::string_view kIpPoolAddresses = "rackboot_ip_pool_addresses";

// Reconcile loop and workqueue. kind: machine|bootprofile; result: success|error|requeue
inline constexpr std::string_view kReconcilesTotal = "rackboot_controller_reconciles_total";
inline constexpr std::string_view kReconcileDurationSeconds = "rackboot_controller_reconcile_duration_seconds";
inline constexpr std::string_view kWorkqueueDepth = "rackboot_controller_workqueue_depth";
inline constexpr std::string_view kWorkqueueAddsTotal = "rackboot_controller_workqueue_adds_total";
inline constexpr std::string_view kWorkqueueRetriesTotal = "rackboot_controller_workqueue_retries_total";
inline constexpr std::string_view kWorkqueueQueueDurationSeconds =
    "rackboot_controller_workqueue_queue_duration_seconds";

// Kubernetes API client. verb: get|list|watch|create|update|patch|delete; code: HTTP status.
inline constexpr std::string_view kKubeApiRequestsTotal = "rackboot_controller_kube_api_requests_total";
inline constexpr std::string_view kKubeApiRequestDurationSeconds =
    "rackboot_controller_kube_api_request_duration_seconds";

// Leader election (1 on the replica holding the Lease).
inline constexpr std::string_view kLeader = "rackboot_controller_leader";

// bootd streams, per rack. result: ack|nack
inline constexpr std::string_view kBootdConnected = "rackboot_controller_bootd_connected";
inline constexpr std::string_view kBootdStreamsTotal = "rackboot_controller_bootd_streams_total";
inline constexpr std::string_view kAssignmentVersion = "rackboot_controller_assignment_version";
inline constexpr std::string_view kBootdAckedVersion = "rackboot_controller_bootd_acked_version";
inline constexpr std::string_view kAssignmentPushesTotal = "rackboot_controller_assignment_pushes_total";

std::span<const MetricSpec> ControllerMetricCatalog();

struct ControllerMetrics {
  // Registers every family of the catalog and sets
  // rackboot_build_info{component="controller",version} to 1.
  ControllerMetrics(prometheus::Registry& registry, const std::string& version);

  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Gauge>& machines;                       // {rack, phase}
  prometheus::Family<prometheus::Gauge>& machines_boot_stage;            // {rack, stage}
  prometheus::Family<prometheus::Gauge>& machines_boot_loop;             // {rack}
  prometheus::Family<prometheus::Counter>& boot_stages;                  // {rack, stage}
  prometheus::Family<prometheus::Histogram>& boot_stage_duration;        // {rack, stage}
  prometheus::Family<prometheus::Counter>& boot_failures;                // {rack, reason}
  prometheus::Family<prometheus::Gauge>& ip_pool_addresses;              // {rack, state}
  prometheus::Family<prometheus::Counter>& reconciles;                   // {kind, result}
  prometheus::Family<prometheus::Histogram>& reconcile_duration;         // {kind}
  prometheus::Family<prometheus::Gauge>& workqueue_depth;                // {queue}
  prometheus::Family<prometheus::Counter>& workqueue_adds;               // {queue}
  prometheus::Family<prometheus::Counter>& workqueue_retries;            // {queue}
  prometheus::Family<prometheus::Histogram>& workqueue_queue_duration;   // {queue}
  prometheus::Family<prometheus::Counter>& kube_api_requests;            // {verb, code}
  prometheus::Family<prometheus::Histogram>& kube_api_request_duration;  // {verb}
  prometheus::Family<prometheus::Gauge>& leader;
  prometheus::Family<prometheus::Gauge>& bootd_connected;      // {rack}
  prometheus::Family<prometheus::Counter>& bootd_streams;      // {rack}
  prometheus::Family<prometheus::Gauge>& assignment_version;   // {rack}
  prometheus::Family<prometheus::Gauge>& bootd_acked_version;  // {rack}
  prometheus::Family<prometheus::Counter>& assignment_pushes;  // {rack, result}

  // Creates the per-rack series (zeros) for a configured rack: every phase,
  // every stage, connection state, so dashboards see racks with no activity.
  void AddRack(const std::string& rack);

  // Histogram series with the catalog's buckets.
  prometheus::Histogram& BootStageDuration(std::string_view rack, std::string_view stage);
  prometheus::Histogram& ReconcileDuration(std::string_view kind);
  prometheus::Histogram& WorkqueueQueueDuration(std::string_view queue);
  prometheus::Histogram& KubeApiRequestDuration(std::string_view verb);
};

}  // namespace rackboot::metrics
