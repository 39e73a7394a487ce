#pragma once
// bootd's metric catalog and families. Every series carries the constant
// label rack="<config rack>" (one bootd per rack, so bounded), which is what
// the dashboard's rack variable selects on.

#include <prometheus/registry.h>

#include <span>
#include <string>
#include <string_view>

#include "common/metrics/metric_spec.h"

namespace rackboot::metrics {

inline constexpr std::string_view kBuildInfo = "rackboot_build_info";

// DHCP (bootd/dhcp). type: discover|request|decline|release|inform|other;
// result: offered|acked|nakked|handled (no reply needed: RELEASE, DECLINE)|dropped.
inline constexpr std::string_view kDhcpPacketsTotal = "rackboot_dhcp_packets_total";
// reason: bootd/dhcp/drop_reason.h DropReasonName (too_short, rate_limited,
// queue_overflow, other_server, unknown_client, pool_exhausted, ...).
inline constexpr std::string_view kDhcpDroppedPacketsTotal = "rackboot_dhcp_dropped_packets_total";
// pool: the pool's subnet (configured, bounded); state: active|offered|free|quarantined
inline constexpr std::string_view kDhcpLeases = "rackboot_dhcp_leases";
inline constexpr std::string_view kDhcpProcessingDurationSeconds = "rackboot_dhcp_processing_duration_seconds";

// TFTP (bootd/tftp). result: completed|failed (timeout, read error)|aborted
// (the client sent ERROR, e.g. after a tsize probe)|refused (WRQ, bad path,
// not found; never for being busy).
inline constexpr std::string_view kTftpTransfersTotal = "rackboot_tftp_transfers_total";
inline constexpr std::string_view kTftpTransfersActive = "rackboot_tftp_transfers_active";
inline constexpr std::string_view kTftpSentBytesTotal = "rackboot_tftp_sent_bytes_total";
inline constexpr std::string_view kTftpTransferDurationSeconds = "rackboot_tftp_transfer_duration_seconds";
// At tftp.maxTransfers (bootd/tftp/transfer_admission.h). action: queued
// (held until a transfer ends)|unanswered (queue full: left for the client
// to retransmit)|expired (a queued client stopped asking: likely a failed boot).
inline constexpr std::string_view kTftpOverloadRequestsTotal = "rackboot_tftp_overload_requests_total";
inline constexpr std::string_view kTftpRequestsQueued = "rackboot_tftp_requests_queued";

// IPv6 "no router" advertisements (bootd/dhcp/router_advertiser.h).
// result: answered|invalid (RS dropped by the RFC 4861 §6.1.1 checks);
// advertisements: result sent|error.
inline constexpr std::string_view kIpv6RouterSolicitationsTotal = "rackboot_ipv6_router_solicitations_total";
inline constexpr std::string_view kIpv6RouterAdvertisementsTotal = "rackboot_ipv6_router_advertisements_total";

// HTTP (bootd/http). handler: script|artifact|config|booted|other;
// code: the HTTP status code (a small fixed set in practice).
inline constexpr std::string_view kHttpRequestsTotal = "rackboot_http_requests_total";
inline constexpr std::string_view kHttpResponseBytesTotal = "rackboot_http_response_bytes_total";
inline constexpr std::string_view kHttpRequestDurationSeconds = "rackboot_http_request_duration_seconds";
// At the connection limits (bootd/http/connection_admission.h). action:
// accept_paused (a listener stopped accepting; connections wait in the
// backlog)|client_over_limit (a client address past its own limit: 503).
inline constexpr std::string_view kHttpOverloadTotal = "rackboot_http_overload_total";

// Rendering and the artifact cache. kind: ipxe|grub|pxelinux|config;
// result: ok|error (scripts), hit|miss (cache).
inline constexpr std::string_view kScriptsRenderedTotal = "rackboot_scripts_rendered_total";
inline constexpr std::string_view kArtifactCacheRequestsTotal = "rackboot_artifact_cache_requests_total";
inline constexpr std::string_view kArtifactCacheBytes = "rackboot_artifact_cache_bytes";

// Boot events bootd recorded, by stage (label_values.h kBootStages): bootd's
// own count. The fleet's funnel is the controller's rackboot_boot_stages_total
// and rackboot_machines_boot_stage (docs/metrics.md, "Naming").
inline constexpr std::string_view kBootdBootEventsTotal = "rackboot_bootd_boot_events_total";

// The stream to the controller (bootd/agent).
inline constexpr std::string_view kBootdControllerStreamState = "rackboot_bootd_controller_stream_state";
inline constexpr std::string_view kBootdControllerStreamsTotal = "rackboot_bootd_controller_streams_total";
inline constexpr std::string_view kBootdAssignmentVersion = "rackboot_bootd_assignment_version";
inline constexpr std::string_view kBootdAssignmentUpdatesTotal = "rackboot_bootd_assignment_updates_total";
inline constexpr std::string_view kBootdAssignments = "rackboot_bootd_assignments";
inline constexpr std::string_view kBootdEventOutboxEvents = "rackboot_bootd_event_outbox_events";

std::span<const MetricSpec> BootdMetricCatalog();

// The registered families; components keep references to the series they
// update (Family::Add takes a lock and a map lookup: do it once, not per
// packet).
struct BootdMetrics {
  // Registers every family of the catalog in `registry` and sets
  // rackboot_build_info{component="bootd",version} to 1.
  BootdMetrics(prometheus::Registry& registry, const std::string& rack, const std::string& version);

  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>& dhcp_packets;          // {type, result}
  prometheus::Family<prometheus::Counter>& dhcp_dropped_packets;  // {reason}
  prometheus::Family<prometheus::Gauge>& dhcp_leases;             // {pool, state}
  prometheus::Family<prometheus::Histogram>& dhcp_processing_duration;
  prometheus::Family<prometheus::Counter>& tftp_transfers;  // {result}
  prometheus::Family<prometheus::Gauge>& tftp_transfers_active;
  prometheus::Family<prometheus::Counter>& tftp_sent_bytes;
  prometheus::Family<prometheus::Histogram>& tftp_transfer_duration;
  prometheus::Family<prometheus::Counter>& tftp_overload_requests;  // {action}
  prometheus::Family<prometheus::Gauge>& tftp_requests_queued;
  prometheus::Family<prometheus::Counter>& ipv6_router_solicitations;   // {result}
  prometheus::Family<prometheus::Counter>& ipv6_router_advertisements;  // {result}
  prometheus::Family<prometheus::Counter>& http_requests;               // {handler, code}
  prometheus::Family<prometheus::Counter>& http_response_bytes;         // {handler}
  prometheus::Family<prometheus::Counter>& http_overload;               // {action}
  prometheus::Family<prometheus::Histogram>& http_request_duration;     // {handler}
  prometheus::Family<prometheus::Counter>& scripts_rendered;            // {kind, result}
  prometheus::Family<prometheus::Counter>& artifact_cache_requests;     // {result}
  prometheus::Family<prometheus::Gauge>& artifact_cache_bytes;
  prometheus::Family<prometheus::Counter>& boot_stages;            // {stage}
  prometheus::Family<prometheus::Gauge>& controller_stream_state;  // {state}
  prometheus::Family<prometheus::Counter>& controller_streams;
  prometheus::Family<prometheus::Gauge>& assignment_version;
  prometheus::Family<prometheus::Counter>& assignment_updates;  // {result}
  prometheus::Family<prometheus::Gauge>& assignments;
  prometheus::Family<prometheus::Gauge>& event_outbox_events;

  // Sets the stream state gauge: 1 for `state`, 0 for the others.
  void SetControllerStreamState(std::string_view state);
  // The duration series of one handler, with the catalog's buckets.
  prometheus::Histogram& HttpRequestDuration(std::string_view handler);
};

}  // namespace rackboot::metrics
