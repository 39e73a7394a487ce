// Stands in for bootd and the controller in dashboard_prometheus_test.sh:
// two MetricsServers on 127.0.0.1 (one per binary, like in a cluster) with
// the real metric catalogs and one simulated boot, scraped by a real
// Prometheus server. Writes "bootd_port controller_port" to argv[1], then
// serves until stdin closes.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "common/metrics/bootd_metrics.h"
#include "common/metrics/buckets.h"
#include "common/metrics/controller_metrics.h"
#include "common/metrics/label_values.h"
#include "common/metrics/metrics_server.h"

using namespace rackboot::metrics;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: metrics_exporter <ports file>\n";
    return 2;
  }
  auto bootd_registry = std::make_shared<prometheus::Registry>();
  auto controller_registry = std::make_shared<prometheus::Registry>();
  BootdMetrics bootd(*bootd_registry, "rack-a", "0.1.0");
  ControllerMetrics controller(*controller_registry, "0.1.0");
  controller.AddRack("rack-a");

  // One machine booting through every stage on rack-a.
  bootd.dhcp_packets.Add({{"type", "discover"}, {"result", "offered"}}).Increment();
  bootd.dhcp_packets.Add({{"type", "request"}, {"result", "acked"}}).Increment();
  bootd.dhcp_dropped_packets.Add({{"reason", "unknown_client"}}).Increment();
  bootd.dhcp_leases.Add({{"pool", "10.77.0.0/24"}, {"state", "active"}}).Set(1);
  bootd.dhcp_leases.Add({{"pool", "10.77.0.0/24"}, {"state", "free"}}).Set(99);
  bootd.dhcp_processing_duration.Add({}, kFastOperationBuckets).Observe(0.0004);
  bootd.tftp_transfers.Add({{"result", "completed"}}).Increment();
  bootd.tftp_sent_bytes.Add({}).Increment(70000);
  bootd.tftp_transfer_duration.Add({}, kTransferBuckets).Observe(0.3);
  bootd.http_requests.Add({{"handler", "script"}, {"code", "200"}}).Increment();
  bootd.http_requests.Add({{"handler", "artifact"}, {"code", "200"}}).Increment(2);
  bootd.http_requests.Add({{"handler", "artifact"}, {"code", "404"}}).Increment();
  bootd.http_response_bytes.Add({{"handler", "artifact"}}).Increment(50 << 20);
  bootd.HttpRequestDuration("artifact").Observe(2.5);
  bootd.scripts_rendered.Add({{"kind", "ipxe"}, {"result", "ok"}}).Increment();
  bootd.artifact_cache_requests.Add({{"result", "hit"}}).Increment();
  bootd.artifact_cache_requests.Add({{"result", "miss"}}).Increment();
  bootd.artifact_cache_bytes.Add({}).Set(38 << 20);
  bootd.tftp_overload_requests.Add({{"action", "queued"}}).Increment(3);
  bootd.tftp_requests_queued.Add({}).Set(1);
  bootd.http_overload.Add({{"action", "accept_paused"}}).Increment();
  bootd.SetControllerStreamState("streaming");
  bootd.controller_streams.Add({}).Increment();
  bootd.assignment_version.Add({}).Set(7);
  bootd.assignment_updates.Add({{"result", "ack"}}).Increment();
  bootd.assignments.Add({}).Set(1);
  double seconds = 0;
  for (std::string_view stage : kBootStages) {
    if (stage == "error") continue;
    bootd.boot_stages.Add({{"stage", std::string(stage)}}).Increment();
    controller.boot_stages.Add({{"rack", "rack-a"}, {"stage", std::string(stage)}}).Increment();
    controller.BootStageDuration("rack-a", stage).Observe(seconds);
    controller.machines_boot_stage.Add({{"rack", "rack-a"}, {"stage", std::string(stage)}}).Set(1);
    seconds += 7;
  }
  controller.machines.Add({{"rack", "rack-a"}, {"phase", "Provisioned"}}).Set(1);
  controller.ip_pool_addresses.Add({{"rack", "rack-a"}, {"state", "allocated"}}).Set(1);
  controller.ip_pool_addresses.Add({{"rack", "rack-a"}, {"state", "free"}}).Set(99);
  controller.boot_failures.Add({{"rack", "rack-a"}, {"reason", "DhcpTimeout"}});
  controller.reconciles.Add({{"kind", "machine"}, {"result", "success"}}).Increment(9);
  controller.ReconcileDuration("machine").Observe(0.004);
  controller.workqueue_depth.Add({{"queue", "machines"}}).Set(0);
  controller.workqueue_retries.Add({{"queue", "machines"}});
  controller.WorkqueueQueueDuration("machines").Observe(0.0002);
  controller.kube_api_requests.Add({{"verb", "patch"}, {"code", "200"}}).Increment(9);
  controller.KubeApiRequestDuration("patch").Observe(0.01);
  controller.leader.Add({}).Set(1);
  controller.bootd_connected.Add({{"rack", "rack-a"}}).Set(1);
  controller.assignment_version.Add({{"rack", "rack-a"}}).Set(7);
  controller.bootd_acked_version.Add({{"rack", "rack-a"}}).Set(7);
  controller.assignment_pushes.Add({{"rack", "rack-a"}, {"result", "ack"}}).Increment(3);
  controller.assignment_pushes.Add({{"rack", "rack-a"}, {"result", "nack"}});

  auto health = std::make_shared<HealthChecks>();
  auto bootd_server = MetricsServer::Start("127.0.0.1:0", bootd_registry, health);
  auto controller_server = MetricsServer::Start("127.0.0.1:0", controller_registry, health);
  if (!bootd_server.ok() || !controller_server.ok()) {
    std::cerr << "cannot start metrics servers\n";
    return 1;
  }
  {
    std::ofstream ports(std::string(argv[1]) + ".tmp");
    ports << (*bootd_server)->port() << " " << (*controller_server)->port() << "\n";
  }
  std::rename((std::string(argv[1]) + ".tmp").c_str(), argv[1]);
  // Serve until the test closes our stdin.
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
