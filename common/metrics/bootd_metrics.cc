#include "common/metrics/bootd_metrics.h"

#include <vector>

#include "common/metrics/buckets.h"
#include "common/metrics/label_values.h"

namespace rackboot::metrics {

namespace {

using K = MetricKind;

const std::vector<MetricSpec>& Catalog() {
  static const std::vector<MetricSpec> catalog = {
      {kBuildInfo, K::kGauge, "Always 1; the labels name the component and its version.", {"component", "version"}},
      {kDhcpPacketsTotal,
       K::kCounter,
       "DHCP packets received, by message type and what bootd did.",
       {"type", "result"}},
      {kDhcpDroppedPacketsTotal, K::kCounter, "DHCP packets dropped without an answer, by reason.", {"reason"}},
      {kDhcpLeases, K::kGauge, "Addresses per DHCP pool and lease state.", {"pool", "state"}},
      {kDhcpProcessingDurationSeconds, K::kHistogram, "Time from receiving a DHCP packet to sending the answer.", {}},
      {kTftpTransfersTotal, K::kCounter, "TFTP read requests finished, by result.", {"result"}},
      {kTftpTransfersActive, K::kGauge, "TFTP transfers in progress.", {}},
      {kTftpSentBytesTotal, K::kCounter, "File bytes sent over TFTP (payload of DATA packets).", {}},
      {kTftpTransferDurationSeconds, K::kHistogram, "Duration of completed TFTP transfers.", {}},
      {kTftpOverloadRequestsTotal,
       K::kCounter,
       "TFTP read requests that found bootd at its transfer limit, by what happened to them.",
       {"action"}},
      {kTftpRequestsQueued, K::kGauge, "TFTP read requests waiting for a transfer slot.", {}},
      {kIpv6RouterSolicitationsTotal, K::kCounter, "IPv6 Router Solicitations received, by result.", {"result"}},
      {kIpv6RouterAdvertisementsTotal, K::kCounter, "IPv6 'no router' advertisements sent, by result.", {"result"}},
      {kHttpRequestsTotal, K::kCounter, "HTTP requests answered, by handler and status code.", {"handler", "code"}},
      {kHttpResponseBytesTotal, K::kCounter, "HTTP response body bytes sent, by handler.", {"handler"}},
      {kHttpOverloadTotal, K::kCounter, "HTTP connection limit events, by action.", {"action"}},
      {kHttpRequestDurationSeconds,
       K::kHistogram,
       "HTTP request duration until the last byte, by handler.",
       {"handler"}},
      {kScriptsRenderedTotal,
       K::kCounter,
       "Boot scripts and install configs rendered, by kind and result.",
       {"kind", "result"}},
      {kArtifactCacheRequestsTotal, K::kCounter, "Artifact cache lookups, by result (hit, miss).", {"result"}},
      {kArtifactCacheBytes, K::kGauge, "Bytes held in the artifact cache.", {}},
      {kBootdBootEventsTotal,
       K::kCounter,
       "Boot events this bootd recorded (each is sent to the controller), by stage.",
       {"stage"}},
      {kBootdControllerStreamState,
       K::kGauge,
       "State of the stream to the controller (1 for the current state).",
       {"state"}},
      {kBootdControllerStreamsTotal, K::kCounter, "Streams opened to the controller (reconnects included).", {}},
      {kBootdAssignmentVersion, K::kGauge, "Version of the assignment snapshot last applied.", {}},
      {kBootdAssignmentUpdatesTotal, K::kCounter, "Assignment updates received, by result (ack, nack).", {"result"}},
      {kBootdAssignments, K::kGauge, "Machines in the applied assignment snapshot.", {}},
      {kBootdEventOutboxEvents, K::kGauge, "Boot events waiting to be delivered to the controller.", {}},
  };
  return catalog;
}

const MetricSpec& Spec(std::string_view name) {
  return RequireSpec(Catalog(), name, "bootd");
}

}  // namespace

std::span<const MetricSpec> BootdMetricCatalog() {
  return Catalog();
}

BootdMetrics::BootdMetrics(prometheus::Registry& registry, const std::string& rack, const std::string& version)
    : build_info(AddGauge(registry, Spec(kBuildInfo), {{"rack", rack}})),
      dhcp_packets(AddCounter(registry, Spec(kDhcpPacketsTotal), {{"rack", rack}})),
      dhcp_dropped_packets(AddCounter(registry, Spec(kDhcpDroppedPacketsTotal), {{"rack", rack}})),
      dhcp_leases(AddGauge(registry, Spec(kDhcpLeases), {{"rack", rack}})),
      dhcp_processing_duration(AddHistogram(registry, Spec(kDhcpProcessingDurationSeconds), {{"rack", rack}})),
      tftp_transfers(AddCounter(registry, Spec(kTftpTransfersTotal), {{"rack", rack}})),
      tftp_transfers_active(AddGauge(registry, Spec(kTftpTransfersActive), {{"rack", rack}})),
      tftp_sent_bytes(AddCounter(registry, Spec(kTftpSentBytesTotal), {{"rack", rack}})),
      tftp_transfer_duration(AddHistogram(registry, Spec(kTftpTransferDurationSeconds), {{"rack", rack}})),
      tftp_overload_requests(AddCounter(registry, Spec(kTftpOverloadRequestsTotal), {{"rack", rack}})),
      tftp_requests_queued(AddGauge(registry, Spec(kTftpRequestsQueued), {{"rack", rack}})),
      ipv6_router_solicitations(AddCounter(registry, Spec(kIpv6RouterSolicitationsTotal), {{"rack", rack}})),
      ipv6_router_advertisements(AddCounter(registry, Spec(kIpv6RouterAdvertisementsTotal), {{"rack", rack}})),
      http_requests(AddCounter(registry, Spec(kHttpRequestsTotal), {{"rack", rack}})),
      http_response_bytes(AddCounter(registry, Spec(kHttpResponseBytesTotal), {{"rack", rack}})),
      http_overload(AddCounter(registry, Spec(kHttpOverloadTotal), {{"rack", rack}})),
      http_request_duration(AddHistogram(registry, Spec(kHttpRequestDurationSeconds), {{"rack", rack}})),
      scripts_rendered(AddCounter(registry, Spec(kScriptsRenderedTotal), {{"rack", rack}})),
      artifact_cache_requests(AddCounter(registry, Spec(kArtifactCacheRequestsTotal), {{"rack", rack}})),
      artifact_cache_bytes(AddGauge(registry, Spec(kArtifactCacheBytes), {{"rack", rack}})),
      boot_stages(AddCounter(registry, Spec(kBootdBootEventsTotal), {{"rack", rack}})),
      controller_stream_state(AddGauge(registry, Spec(kBootdControllerStreamState), {{"rack", rack}})),
      controller_streams(AddCounter(registry, Spec(kBootdControllerStreamsTotal), {{"rack", rack}})),
      assignment_version(AddGauge(registry, Spec(kBootdAssignmentVersion), {{"rack", rack}})),
      assignment_updates(AddCounter(registry, Spec(kBootdAssignmentUpdatesTotal), {{"rack", rack}})),
      assignments(AddGauge(registry, Spec(kBootdAssignments), {{"rack", rack}})),
      event_outbox_events(AddGauge(registry, Spec(kBootdEventOutboxEvents), {{"rack", rack}})) {
  build_info.Add({{"component", "bootd"}, {"version", version}}).Set(1);
  // Series without labels and the enumerable ones exist from the start, so
  // a scrape right after start-up already shows zeros.
  dhcp_processing_duration.Add({}, kFastOperationBuckets);
  tftp_transfers_active.Add({});
  tftp_sent_bytes.Add({});
  tftp_transfer_duration.Add({}, kTransferBuckets);
  for (const char* action : {"queued", "unanswered", "expired"}) tftp_overload_requests.Add({{"action", action}});
  tftp_requests_queued.Add({});
  for (const char* action : {"accept_paused", "client_over_limit"}) http_overload.Add({{"action", action}});
  artifact_cache_bytes.Add({});
  for (std::string_view stage : kBootStages) boot_stages.Add({{"stage", std::string(stage)}});
  controller_streams.Add({});
  for (const char* result : {"ack", "nack"}) assignment_updates.Add({{"result", result}});
  assignment_version.Add({});
  assignments.Add({});
  event_outbox_events.Add({});
  SetControllerStreamState("idle");
}

void BootdMetrics::SetControllerStreamState(std::string_view state) {
  for (std::string_view s : kStreamStates) {
    controller_stream_state.Add({{"state", std::string(s)}}).Set(s == state ? 1 : 0);
  }
}

prometheus::Histogram& BootdMetrics::HttpRequestDuration(std::string_view handler) {
  return http_request_duration.Add({{"handler", std::string(handler)}}, kTransferBuckets);
}

}  // namespace rackboot::metrics
