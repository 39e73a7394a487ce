// ControllerMetricsBridge without a cluster: boot events become per-rack
// stage counts, durations from the attempt's first DISCOVER and failure
// reasons; stream open/close drives the per-rack connected gauge.
#include "controller/metrics/controller_metrics_bridge.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "tests/unit/common/metrics/registry_reader.h"

namespace rackboot::controller {
namespace {

v1alpha1::BootEvent Event(const std::string& mac, v1alpha1::BootStage stage, int64_t unix_millis,
                          const std::string& detail = "") {
  v1alpha1::BootEvent e;
  e.set_mac(mac);
  e.set_stage(stage);
  e.set_unix_millis(unix_millis);
  e.set_detail(detail);
  return e;
}

class ControllerMetricsBridgeTest : public ::testing::Test {
 protected:
  ControllerMetricsBridgeTest() : metrics_(registry_, "test"), bridge_(metrics_, {RackA()}) {}
  static RackNetwork RackA() {
    RackNetwork r;
    r.name = "rack-a";
    return r;
  }
  prometheus::Registry registry_;
  metrics::ControllerMetrics metrics_;
  ControllerMetricsBridge bridge_;
};

TEST_F(ControllerMetricsBridgeTest, ConfiguredRacksStartAtZero) {
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_machines", {{"rack", "rack-a"}, {"phase", "Provisioned"}}), 0);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_bootd_connected", {{"rack", "rack-a"}}), 0);
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_boot_failures_total", {{"rack", "rack-a"}, {"reason", "BootError"}}),
      0);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_leader", {}), 0);
  bridge_.SetLeader(true);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_leader", {}), 1);
}

TEST_F(ControllerMetricsBridgeTest, StageDurationsCountFromTheFirstDiscoverOfTheAttempt) {
  const std::string mac = "52:54:00:00:00:01";
  bridge_.OnBootEvent("rack-a", Event(mac, v1alpha1::BOOT_STAGE_DHCP_DISCOVER, 1'000'000));
  bridge_.OnBootEvent("rack-a", Event(mac, v1alpha1::BOOT_STAGE_DHCP_DISCOVER, 1'004'000));  // retransmission
  bridge_.OnBootEvent("rack-a", Event(mac, v1alpha1::BOOT_STAGE_DHCP_ACK, 1'006'000));
  bridge_.OnBootEvent("rack-a", Event(mac, v1alpha1::BOOT_STAGE_BOOTED, 1'120'000));
  EXPECT_EQ(
      testing::SeriesValue(registry_, "rackboot_boot_stages_total", {{"rack", "rack-a"}, {"stage", "dhcp_discover"}}),
      2);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_boot_stages_total", {{"rack", "rack-a"}, {"stage", "booted"}}),
            1);
  EXPECT_EQ(testing::HistogramSum(registry_, "rackboot_boot_stage_duration_seconds",
                                  {{"rack", "rack-a"}, {"stage", "dhcp_ack"}}),
            6);
  EXPECT_EQ(testing::HistogramSum(registry_, "rackboot_boot_stage_duration_seconds",
                                  {{"rack", "rack-a"}, {"stage", "booted"}}),
            120);
  // After booted the next DISCOVER starts a new attempt.
  bridge_.OnBootEvent("rack-a", Event(mac, v1alpha1::BOOT_STAGE_DHCP_DISCOVER, 2'000'000));
  bridge_.OnBootEvent("rack-a", Event(mac, v1alpha1::BOOT_STAGE_DHCP_ACK, 2'001'000));
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_boot_stage_duration_seconds",
                                 {{"rack", "rack-a"}, {"stage", "dhcp_ack"}}),
            2);
  EXPECT_EQ(testing::HistogramSum(registry_, "rackboot_boot_stage_duration_seconds",
                                  {{"rack", "rack-a"}, {"stage", "dhcp_ack"}}),
            7);
  // A stage with no DISCOVER seen (controller restarted mid-boot): counted,
  // not timed.
  bridge_.OnBootEvent("rack-a", Event("52:54:00:00:00:02", v1alpha1::BOOT_STAGE_KERNEL, 2'002'000));
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_boot_stages_total", {{"rack", "rack-a"}, {"stage", "kernel"}}),
            1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_boot_stage_duration_seconds",
                                 {{"rack", "rack-a"}, {"stage", "kernel"}}),
            0);
}

TEST_F(ControllerMetricsBridgeTest, FailuresAreCountedByABoundedReason) {
  EXPECT_EQ(BootFailureReason("ipxe script render failed: unknown parameter"), "ScriptRenderFailed");
  EXPECT_EQ(BootFailureReason("kernel 5f70 unavailable: 404"), "ArtifactUnavailable");
  EXPECT_EQ(BootFailureReason("anything a client could make us log"), "BootError");
  bridge_.OnBootEvent("rack-a", Event("52:54:00:00:00:03", v1alpha1::BOOT_STAGE_ERROR, 1, "kernel x unavailable: 502"));
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_boot_failures_total",
                                 {{"rack", "rack-a"}, {"reason", "ArtifactUnavailable"}}),
            1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_boot_stages_total", {{"rack", "rack-a"}, {"stage", "error"}}), 1);
}

TEST_F(ControllerMetricsBridgeTest, ConnectedWhileAnyStreamOfTheRackIsOpen) {
  bridge_.OnStreamOpened("rack-a");
  bridge_.OnStreamOpened("rack-a");  // a reconnect racing the old stream's end
  bridge_.OnStreamClosed("rack-a");
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_bootd_connected", {{"rack", "rack-a"}}), 1);
  bridge_.OnStreamClosed("rack-a");
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_bootd_connected", {{"rack", "rack-a"}}), 0);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_bootd_streams_total", {{"rack", "rack-a"}}), 2);
  bridge_.OnUpdateSent("rack-a", 7);
  bridge_.OnAck("rack-a", 7);
  bridge_.OnNack("rack-a", 8, "bad template", {"m1"});
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_assignment_version", {{"rack", "rack-a"}}), 7);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_bootd_acked_version", {{"rack", "rack-a"}}), 7);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_assignment_pushes_total",
                                 {{"rack", "rack-a"}, {"result", "nack"}}),
            1);
}

TEST_F(ControllerMetricsBridgeTest, ReconcileAndWorkqueueHooks) {
  bridge_.OnReconcile("machine", true, 0.01);
  bridge_.OnReconcile("machine", false, 0.02);
  bridge_.OnAdd();
  bridge_.OnRetry();
  bridge_.OnGet(0.5);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_reconciles_total",
                                 {{"kind", "machine"}, {"result", "error"}}),
            1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_reconcile_duration_seconds", {{"kind", "machine"}}),
            2);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_workqueue_adds_total", {{"queue", "machine"}}), 1);
  EXPECT_EQ(testing::SeriesValue(registry_, "rackboot_controller_workqueue_retries_total", {{"queue", "machine"}}), 1);
  EXPECT_EQ(
      testing::HistogramSum(registry_, "rackboot_controller_workqueue_queue_duration_seconds", {{"queue", "machine"}}),
      0.5);
}

}  // namespace
}  // namespace rackboot::controller
