#pragma once
// BootdMetricsBridge: fills bootd's metric catalog (common/metrics/
// bootd_metrics.h) from its services. Two paths:
//  - event hooks (DhcpObserver, HttpRequestObserver, TftpTransferObserver,
//    the boot event subscription) update counters and histograms as work
//    happens;
//  - Refresh(), the /metrics scrape hook, copies what services already count
//    in atomics (DHCP drops, TFTP results, the controller stream) and
//    computes gauges (leases per pool, assignments) at scrape time.
// Labels are bounded: message types, drop reasons, handlers, status codes,
// configured pools; never a MAC, IP or machine.

#include <prometheus/counter.h>

#include <array>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/dhcp/dhcp_observer.h"
#include "bootd/dhcp/drop_reason.h"
#include "bootd/dhcp/router_advertiser.h"
#include "bootd/events/boot_event_recorder.h"
#include "bootd/http/artifact_cache.h"
#include "bootd/http/http_request_observer.h"
#include "bootd/tftp/tftp_transfer_observer.h"
#include "common/metrics/bootd_metrics.h"

namespace rackboot::bootd {

namespace dhcp {
class DhcpService;
}
namespace tftp {
class TftpService;
}
namespace agent {
class ControllerAgent;
}

// The running services the scrape hook reads; any may be null.
struct BootdServiceViews {
  dhcp::DhcpService* dhcp = nullptr;
  const tftp::TftpService* tftp = nullptr;
  const agent::ControllerAgent* agent = nullptr;
  // http.artifactCacheDir set: the cache's counters (a function, so this
  // library does not link the HTTP service).
  std::function<http::ArtifactCacheStats()> artifact_cache_stats;
  // dhcp.ipv6RouterAdvertisement active: the advertiser's counters.
  std::function<dhcp::RouterAdvertiserCounts()> router_advertiser_counts;
};

// The `handler` label of an HTTP request path: script|config|booted|
// artifact|other (bounded, whatever the client sends).
std::string_view HttpHandlerLabel(std::string_view path);

class BootdMetricsBridge : public dhcp::DhcpObserver,
                           public http::HttpRequestObserver,
                           public tftp::TftpTransferObserver {
 public:
  BootdMetricsBridge(metrics::BootdMetrics& metrics, const BootdConfig& config, const AssignmentStore& assignments,
                     BootEventRecorder& events);

  // The services to read at scrape time; call once they have started (the
  // DHCP lease store exists only after Start()).
  void Watch(BootdServiceViews views);
  // The scrape hook.
  void Refresh();

  void OnDecision(const dhcp::Packet4& request, const dhcp::Decision& decision, double seconds) override;
  void OnResponse(std::string_view path, int status, uint64_t bytes, double seconds) override;
  void OnAdmission(http::HttpAdmissionEvent event) override;
  void OnTransferComplete(uint64_t bytes, double seconds) override;

 private:
  static constexpr size_t kTypes = 6;    // discover request decline release inform other
  static constexpr size_t kResults = 5;  // offered acked nakked handled dropped
  void RefreshDhcp();
  void RefreshTftp();
  void RefreshAgent();
  void RefreshArtifactCache();
  void RefreshRouterAdvertiser();

  metrics::BootdMetrics& m_;
  const BootdConfig& config_;
  const AssignmentStore& assignments_;
  std::array<std::array<prometheus::Counter*, kResults>, kTypes> dhcp_packets_{};
  prometheus::Histogram& dhcp_duration_;
  std::array<prometheus::Counter*, static_cast<size_t>(dhcp::DropReason::kCount)> drops_{};
  prometheus::Histogram& tftp_duration_;

  std::mutex mu_;  // guards views_
  BootdServiceViews views_;
};

}  // namespace rackboot::bootd
