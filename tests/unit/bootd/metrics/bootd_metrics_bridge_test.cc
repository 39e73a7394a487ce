// BootdMetricsBridge without sockets: DHCP decisions by type and result,
// HTTP handler labels (bounded whatever the path), rendered scripts, TFTP
// durations and boot stages from the recorder.
#include "bootd/metrics/bootd_metrics_bridge.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "bootd/dhcp/dhcp_engine.h"
#include "bootd/dhcp/packet4.h"
#include "tests/unit/common/metrics/registry_reader.h"

namespace rackboot::bootd {
namespace {

dhcp::Packet4 Message(dhcp::MessageType type) {
  dhcp::Packet4 p;
  p.Set(dhcp::kOptMessageType, std::string(1, static_cast<char>(type)));
  return p;
}

class BootdMetricsBridgeTest : public ::testing::Test {
 protected:
  BootdMetricsBridgeTest() : metrics_(registry_, "rack-a", "test"), bridge_(metrics_, config_, assignments_, events_) {}
  prometheus::Registry registry_;
  BootdConfig config_;
  AssignmentStore assignments_;
  BootEventRecorder events_;
  metrics::BootdMetrics metrics_;
  BootdMetricsBridge bridge_;
};

TEST(HttpHandlerLabelTest, RoutesMapToAFixedSet) {
  EXPECT_EQ(HttpHandlerLabel("/ipxe/52:54:00:12:34:56"), "script");
  EXPECT_EQ(HttpHandlerLabel("/grub/525400123456"), "script");
  EXPECT_EQ(HttpHandlerLabel("/pxelinux/52-54-00-12-34-56"), "script");
  EXPECT_EQ(HttpHandlerLabel("/config/52:54:00:12:34:56/t/tok/user-data"), "config");
  EXPECT_EQ(HttpHandlerLabel("/booted/52:54:00:12:34:56"), "booted");
  EXPECT_EQ(HttpHandlerLabel("/boot/52:54:00:12:34:56/vmlinuz"), "artifact");
  EXPECT_EQ(HttpHandlerLabel("/artifacts/debian/initrd.gz"), "artifact");
  EXPECT_EQ(HttpHandlerLabel("/cached/52:54:00:12:34:56/abc/linux"), "artifact");
  EXPECT_EQ(HttpHandlerLabel("/"), "other");
  EXPECT_EQ(HttpHandlerLabel("/%2e%2e/etc/passwd"), "other");
  EXPECT_EQ(HttpHandlerLabel("//ipxe/x"), "script");
}

TEST_F(BootdMetricsBridgeTest, DhcpDecisionsByTypeAndResult) {
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_dhcp_packets_total", {{"type", "discover"}, {"result", "offered"}}), 0);
  dhcp::Decision offer;
  offer.reply = Message(dhcp::MessageType::kOffer);
  bridge_.OnDecision(Message(dhcp::MessageType::kDiscover), offer, 0.001);
  dhcp::Decision nak;
  nak.reply = Message(dhcp::MessageType::kNak);
  bridge_.OnDecision(Message(dhcp::MessageType::kRequest), nak, 0.001);
  dhcp::Decision released;  // no reply, no drop: handled
  bridge_.OnDecision(Message(dhcp::MessageType::kRelease), released, 0.001);
  dhcp::Decision dropped;
  dropped.drop = dhcp::DropReason::kUnknownClient;
  bridge_.OnDecision(Message(dhcp::MessageType::kDiscover), dropped, 0.001);
  bridge_.OnDecision(dhcp::Packet4{}, dropped, 0.001);  // no option 53
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_dhcp_packets_total", {{"type", "discover"}, {"result", "offered"}}), 1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_dhcp_packets_total", {{"type", "request"}, {"result", "nakked"}}),
            1);
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_dhcp_packets_total", {{"type", "release"}, {"result", "handled"}}), 1);
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_dhcp_packets_total", {{"type", "discover"}, {"result", "dropped"}}), 1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_dhcp_packets_total", {{"type", "other"}, {"result", "dropped"}}),
            1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_dhcp_processing_duration_seconds", {}), 5);
  // Every drop reason has a series from the start (zeros until a scrape
  // copies the service's counters).
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_dhcp_dropped_packets_total", {{"reason", "too_short"}}), 0);
}

TEST_F(BootdMetricsBridgeTest, HttpResponsesAndRenderedScripts) {
  bridge_.OnResponse("/ipxe/52:54:00:12:34:56", 200, 812, 0.002);
  bridge_.OnResponse("/config/52:54:00:12:34:56/user-data", 403, 10, 0.001);
  bridge_.OnResponse("/boot/52:54:00:12:34:56/vmlinuz", 200, 5000, 0.1);
  bridge_.OnResponse("/boot/52:54:00:12:34:56/vmlinuz", 206, 100, 0.1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_http_requests_total", {{"handler", "script"}, {"code", "200"}}),
            1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_http_requests_total", {{"handler", "artifact"}, {"code", "206"}}),
            1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_http_response_bytes_total", {{"handler", "artifact"}}), 5100);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_http_request_duration_seconds", {{"handler", "artifact"}}), 2);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_scripts_rendered_total", {{"kind", "ipxe"}, {"result", "ok"}}),
            1);
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_scripts_rendered_total", {{"kind", "config"}, {"result", "error"}}), 1);
}

TEST_F(BootdMetricsBridgeTest, BootStagesTftpDurationsAndAssignments) {
  BootEvent e;
  e.stage = BootStage::kDhcpDiscover;
  events_.Record(e);
  e.stage = BootStage::kBooted;
  events_.Record(e);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_bootd_boot_events_total", {{"stage", "dhcp_discover"}}), 1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_bootd_boot_events_total", {{"stage", "booted"}}), 1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_bootd_boot_events_total", {{"stage", "kernel"}}), 0);
  bridge_.OnTransferComplete(70000, 0.3);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_tftp_transfer_duration_seconds", {}), 1);
  bridge_.Refresh();  // no services watched: only the assignment count
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_bootd_assignments", {}), 0);
}

// Pre-created before any traffic, so a handler's first request moves a
// rate() instead of creating the series.
TEST_F(BootdMetricsBridgeTest, HandlersAndScriptKindsExistAtZeroBeforeTraffic) {
  for (const char* handler : {"script", "artifact", "config", "booted", "other"}) {
    EXPECT_TRUE(testing::FindSeries(registry_, "rackboot_http_requests_total", {{"handler", handler}, {"code", "200"}}))
        << handler;
    EXPECT_TRUE(testing::FindSeries(registry_, "rackboot_http_request_duration_seconds", {{"handler", handler}}))
        << handler;
  }
  EXPECT_TRUE(
      testing::FindSeries(registry_, "rackboot_scripts_rendered_total", {{"kind", "grub"}, {"result", "error"}}));
}

// Hits: served from disk; misses: a download started or joined.
TEST_F(BootdMetricsBridgeTest, ArtifactCacheCountersFollowTheCacheAtScrape) {
  http::ArtifactCacheStats stats;
  BootdServiceViews views;
  views.artifact_cache_stats = [&stats] { return stats; };
  bridge_.Watch(views);
  bridge_.Refresh();
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_artifact_cache_requests_total", {{"result", "hit"}}), 0);
  stats.hits = 3;
  stats.fetches = 1;
  stats.waits = 2;
  bridge_.Refresh();
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_artifact_cache_requests_total", {{"result", "hit"}}), 3);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_artifact_cache_requests_total", {{"result", "miss"}}), 3);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_artifact_cache_bytes", {}), 0);
  stats.bytes = 38u << 20;
  bridge_.Refresh();
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_artifact_cache_bytes", {}), 38u << 20);
  bridge_.Watch({});
}

// The advertiser counts in atomics; a scrape copies them into the series.
TEST_F(BootdMetricsBridgeTest, RouterAdvertiserCountersFollowTheAdvertiserAtScrape) {
  dhcp::RouterAdvertiserCounts counts;
  BootdServiceViews views;
  views.router_advertiser_counts = [&counts] { return counts; };
  bridge_.Watch(views);
  counts.solicitations = 4;
  counts.invalid_solicitations = 1;
  counts.advertisements_sent = 5;
  bridge_.Refresh();
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_ipv6_router_solicitations_total", {{"result", "answered"}}), 4);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_ipv6_router_solicitations_total", {{"result", "invalid"}}), 1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_ipv6_router_advertisements_total", {{"result", "sent"}}), 5);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_ipv6_router_advertisements_total", {{"result", "error"}}), 0);
  counts.solicitations = 6;
  bridge_.Refresh();
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_ipv6_router_solicitations_total", {{"result", "answered"}}), 6);
  bridge_.Watch({});
}

}  // namespace
}  // namespace rackboot::bootd
