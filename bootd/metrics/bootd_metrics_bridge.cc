#include "bootd/metrics/bootd_metrics_bridge.h"

#include <ctime>
#include <map>

#include "bootd/agent/controller_agent.h"
#include "bootd/dhcp/dhcp_engine.h"
#include "bootd/dhcp/dhcp_service.h"
#include "bootd/dhcp/option_codes.h"
#include "bootd/dhcp/packet4.h"
#include "bootd/tftp/tftp_service.h"
#include "common/metrics/buckets.h"
#include "common/metrics/counter_sync.h"

namespace rackboot::bootd {

namespace {

using dhcp::MessageType;

// Label values of rackboot_dhcp_packets_total, indexed like dhcp_packets_.
constexpr std::array<std::string_view, 6> kDhcpTypes = {"discover", "request", "decline", "release", "inform", "other"};
// handled: processed without a reply (RELEASE, DECLINE: RFC 2131 §4.3.3-4).
constexpr std::array<std::string_view, 5> kDhcpResults = {"offered", "acked", "nakked", "handled", "dropped"};
// Values of HttpHandlerLabel and of the `kind` of rendered scripts.
constexpr std::array<std::string_view, 5> kHttpHandlers = {"script", "artifact", "config", "booted", "other"};
constexpr std::array<std::string_view, 4> kScriptKinds = {"ipxe", "grub", "pxelinux", "config"};

size_t TypeIndex(std::optional<MessageType> type) {
  if (!type) return 5;
  switch (*type) {
    case MessageType::kDiscover: return 0;
    case MessageType::kRequest: return 1;
    case MessageType::kDecline: return 2;
    case MessageType::kRelease: return 3;
    case MessageType::kInform: return 4;
    default: return 5;  // a server message type sent to a server
  }
}

size_t ResultIndex(const dhcp::Decision& d) {
  if (!d.reply) return d.drop == dhcp::DropReason::kNone ? 3 : 4;
  auto type = d.reply->message_type();
  if (type == MessageType::kOffer) return 0;
  if (type == MessageType::kNak) return 2;
  return 1;  // ACK (also the ProxyDHCP answer on port 4011)
}

std::string_view FirstSegment(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path.substr(0, path.find('/'));
}

// Addresses of one pool by lease state (label `state`).
struct PoolCounts {
  uint64_t active = 0, offered = 0, quarantined = 0;
};

}  // namespace

std::string_view HttpHandlerLabel(std::string_view path) {
  const std::string_view first = FirstSegment(path);
  if (first == "ipxe" || first == "grub" || first == "pxelinux") return "script";
  if (first == "config") return "config";
  if (first == "booted") return "booted";
  if (first == "boot" || first == "artifacts" || first == "cached") return "artifact";
  return "other";
}

BootdMetricsBridge::BootdMetricsBridge(metrics::BootdMetrics& metrics, const BootdConfig& config,
                                       const AssignmentStore& assignments, BootEventRecorder& events)
    : m_(metrics),
      config_(config),
      assignments_(assignments),
      dhcp_duration_(metrics.dhcp_processing_duration.Add({}, metrics::kFastOperationBuckets)),
      tftp_duration_(metrics.tftp_transfer_duration.Add({}, metrics::kTransferBuckets)) {
  for (size_t t = 0; t < kTypes; ++t) {
    for (size_t r = 0; r < kResults; ++r) {
      dhcp_packets_[t][r] =
          &m_.dhcp_packets.Add({{"type", std::string(kDhcpTypes[t])}, {"result", std::string(kDhcpResults[r])}});
    }
  }
  for (size_t i = 1; i < drops_.size(); ++i) {
    drops_[i] = &m_.dhcp_dropped_packets.Add({{"reason", dhcp::DropReasonName(static_cast<dhcp::DropReason>(i))}});
  }
  for (const char* result : {"completed", "failed", "aborted", "refused"}) m_.tftp_transfers.Add({{"result", result}});
  for (const char* result : {"hit", "miss"}) m_.artifact_cache_requests.Add({{"result", result}});
  // Every handler from the start (a handler's first request then moves a
  // rate instead of creating a series), with the code of a served request;
  // error codes appear when they happen.
  for (std::string_view handler : kHttpHandlers) {
    m_.http_requests.Add({{"handler", std::string(handler)}, {"code", "200"}});
    m_.http_response_bytes.Add({{"handler", std::string(handler)}});
    m_.HttpRequestDuration(handler);
  }
  for (std::string_view kind : kScriptKinds) {
    for (const char* result : {"ok", "error"})
      m_.scripts_rendered.Add({{"kind", std::string(kind)}, {"result", result}});
  }
  for (const DhcpPoolConfig& pool : config.dhcp.pools) {
    for (const char* state : {"active", "offered", "free", "quarantined"}) {
      m_.dhcp_leases.Add({{"pool", pool.subnet.ToString()}, {"state", state}});
    }
  }
  // Boot stages as bootd records them (DHCP, TFTP, HTTP), whatever mode.
  prometheus::Family<prometheus::Counter>* stages = &m_.boot_stages;
  events.Subscribe([stages](const BootEvent& e) { stages->Add({{"stage", BootStageName(e.stage)}}).Increment(); });
}

void BootdMetricsBridge::Watch(BootdServiceViews views) {
  std::lock_guard lock(mu_);
  views_ = views;
}

void BootdMetricsBridge::OnDecision(const dhcp::Packet4& request, const dhcp::Decision& decision, double seconds) {
  dhcp_packets_[TypeIndex(request.message_type())][ResultIndex(decision)]->Increment();
  dhcp_duration_.Observe(seconds);
}

void BootdMetricsBridge::OnResponse(std::string_view path, int status, uint64_t bytes, double seconds) {
  const std::string handler(HttpHandlerLabel(path));
  m_.http_requests.Add({{"handler", handler}, {"code", std::to_string(status)}}).Increment();
  m_.http_response_bytes.Add({{"handler", handler}}).Increment(static_cast<double>(bytes));
  m_.HttpRequestDuration(handler).Observe(seconds);
  if (handler == "script" || handler == "config") {
    const std::string kind(FirstSegment(path));
    m_.scripts_rendered.Add({{"kind", kind}, {"result", status >= 200 && status < 300 ? "ok" : "error"}}).Increment();
  }
}

void BootdMetricsBridge::OnAdmission(http::HttpAdmissionEvent event) {
  const char* action = event == http::HttpAdmissionEvent::kAcceptPaused ? "accept_paused" : "client_over_limit";
  m_.http_overload.Add({{"action", action}}).Increment();
}

void BootdMetricsBridge::OnTransferComplete(uint64_t /*bytes*/, double seconds) {
  tftp_duration_.Observe(seconds);
}

void BootdMetricsBridge::Refresh() {
  m_.assignments.Add({}).Set(static_cast<double>(assignments_.size()));
  std::lock_guard lock(mu_);
  RefreshDhcp();
  RefreshTftp();
  RefreshAgent();
  RefreshArtifactCache();
  RefreshRouterAdvertiser();
}

void BootdMetricsBridge::RefreshRouterAdvertiser() {
  if (!views_.router_advertiser_counts) return;
  const dhcp::RouterAdvertiserCounts c = views_.router_advertiser_counts();
  metrics::SyncCounter(m_.ipv6_router_solicitations.Add({{"result", "answered"}}), c.solicitations);
  metrics::SyncCounter(m_.ipv6_router_solicitations.Add({{"result", "invalid"}}), c.invalid_solicitations);
  metrics::SyncCounter(m_.ipv6_router_advertisements.Add({{"result", "sent"}}), c.advertisements_sent);
  metrics::SyncCounter(m_.ipv6_router_advertisements.Add({{"result", "error"}}), c.send_errors);
}

void BootdMetricsBridge::RefreshArtifactCache() {
  if (!views_.artifact_cache_stats) return;
  // A miss is a request that did not find the file on disk: it started the
  // download or joined one already running.
  const http::ArtifactCacheStats s = views_.artifact_cache_stats();
  metrics::SyncCounter(m_.artifact_cache_requests.Add({{"result", "hit"}}), s.hits);
  metrics::SyncCounter(m_.artifact_cache_requests.Add({{"result", "miss"}}), s.fetches + s.waits);
  m_.artifact_cache_bytes.Add({}).Set(static_cast<double>(s.bytes));
}

void BootdMetricsBridge::RefreshDhcp() {
  if (views_.dhcp == nullptr) return;
  const dhcp::DhcpServiceStats& stats = views_.dhcp->stats();
  for (size_t i = 1; i < drops_.size(); ++i) {
    metrics::SyncCounter(*drops_[i], stats.drops.Get(static_cast<dhcp::DropReason>(i)));
  }
  if (config_.dhcp.pools.empty()) return;
  // Leases per configured pool; expired bindings count as free (the address
  // can be offered again).
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::vector<PoolCounts> counts(config_.dhcp.pools.size());
  views_.dhcp->leases().ForEach([&](const Lease& lease) {
    for (size_t i = 0; i < config_.dhcp.pools.size(); ++i) {
      const DhcpPoolConfig& pool = config_.dhcp.pools[i];
      if (lease.ip.value() < pool.range_start.value() || lease.ip.value() > pool.range_end.value()) continue;
      const bool current = lease.expires_unix > now;
      if (lease.state == LeaseState::kActive && current) ++counts[i].active;
      if (lease.state == LeaseState::kOffered && current) ++counts[i].offered;
      if (lease.state == LeaseState::kDeclined && current) ++counts[i].quarantined;
      break;
    }
  });
  for (size_t i = 0; i < counts.size(); ++i) {
    const DhcpPoolConfig& pool = config_.dhcp.pools[i];
    const std::string subnet = pool.subnet.ToString();
    const double size = static_cast<double>(pool.range_end.value()) - pool.range_start.value() + 1;
    const PoolCounts& c = counts[i];
    m_.dhcp_leases.Add({{"pool", subnet}, {"state", "active"}}).Set(static_cast<double>(c.active));
    m_.dhcp_leases.Add({{"pool", subnet}, {"state", "offered"}}).Set(static_cast<double>(c.offered));
    m_.dhcp_leases.Add({{"pool", subnet}, {"state", "quarantined"}}).Set(static_cast<double>(c.quarantined));
    m_.dhcp_leases.Add({{"pool", subnet}, {"state", "free"}})
        .Set(size - static_cast<double>(c.active + c.offered + c.quarantined));
  }
}

void BootdMetricsBridge::RefreshTftp() {
  if (views_.tftp == nullptr) return;
  const tftp::TftpCounters& c = views_.tftp->counters();
  metrics::SyncCounter(m_.tftp_transfers.Add({{"result", "completed"}}), c.completed.load());
  metrics::SyncCounter(m_.tftp_transfers.Add({{"result", "failed"}}), c.failed.load());
  metrics::SyncCounter(m_.tftp_transfers.Add({{"result", "aborted"}}), c.aborted.load());
  metrics::SyncCounter(m_.tftp_transfers.Add({{"result", "refused"}}), c.refused.load());
  metrics::SyncCounter(m_.tftp_sent_bytes.Add({}), c.bytes.load());
  m_.tftp_transfers_active.Add({}).Set(static_cast<double>(views_.tftp->active_transfers()));
  metrics::SyncCounter(m_.tftp_overload_requests.Add({{"action", "queued"}}), c.queued.load());
  metrics::SyncCounter(m_.tftp_overload_requests.Add({{"action", "unanswered"}}), c.ignored.load());
  metrics::SyncCounter(m_.tftp_overload_requests.Add({{"action", "expired"}}), c.queue_expired.load());
  m_.tftp_requests_queued.Add({}).Set(static_cast<double>(views_.tftp->queued_requests()));
}

void BootdMetricsBridge::RefreshAgent() {
  if (views_.agent == nullptr) return;
  const agent::ControllerAgent& a = *views_.agent;
  m_.SetControllerStreamState(a.connected() ? "streaming" : a.streams_started() > 0 ? "backoff" : "connecting");
  metrics::SyncCounter(m_.controller_streams.Add({}), a.streams_started());
  metrics::SyncCounter(m_.assignment_updates.Add({{"result", "ack"}}), a.acks_sent());
  metrics::SyncCounter(m_.assignment_updates.Add({{"result", "nack"}}), a.nacks_sent());
  m_.assignment_version.Add({}).Set(static_cast<double>(a.applied_version()));
  m_.event_outbox_events.Add({}).Set(static_cast<double>(a.pending_events()));
}

}  // namespace rackboot::bootd
