// MetricsServer against real clients on 127.0.0.1: curl for HTTP semantics,
// promtool (Debian prometheus) for the exposition format.
#include "common/metrics/metrics_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <string>

#include "common/metrics/bootd_metrics.h"
#include "common/metrics/controller_metrics.h"
#include "common/metrics/counter_sync.h"
#include "common/metrics/label_values.h"

namespace rackboot::metrics {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command, returns its exit code and stdout (+stderr).
CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.output.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

HttpResponse Curl(int port, const std::string& path, const std::string& method = "GET") {
  std::string cmd = "curl -sS --max-time 20 -X " + method +
                    " -w '\\n@@%{http_code}@@%{content_type}' http://127.0.0.1:" + std::to_string(port) + path;
  if (method == "HEAD")
    cmd = "curl -sS --max-time 20 -I -w '\\n@@%{http_code}@@%{content_type}' http://127.0.0.1:" + std::to_string(port) +
          path + " -o /dev/null";
  CommandResult r = RunCommand(cmd);
  HttpResponse response;
  size_t at = r.output.rfind("\n@@");
  if (r.exit_code != 0 || at == std::string::npos) {
    ADD_FAILURE() << cmd << " -> " << r.exit_code << ": " << r.output;
    return response;
  }
  response.body = r.output.substr(0, at);
  std::string trailer = r.output.substr(at + 3);
  size_t sep = trailer.find("@@");
  response.status = std::stoi(trailer.substr(0, sep));
  response.content_type = trailer.substr(sep + 2);
  return response;
}

class MetricsServerTest : public testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    health_ = std::make_shared<HealthChecks>();
    health_->AddReadiness("snapshot", [this]() -> Status {
      if (ready_) return Status::Ok();
      return Error{"no assignment snapshot yet"};
    });
    auto server = MetricsServer::Start("127.0.0.1:0", registry_, health_);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server.value());
    ASSERT_GT(server_->port(), 0);
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<HealthChecks> health_;
  std::atomic<bool> ready_ = false;
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, ServesRegistryInTextFormat) {
  BootdMetrics metrics(*registry_, "rack-a", "0.1.0");
  metrics.dhcp_packets.Add({{"type", "discover"}, {"result", "offered"}}).Increment(3);
  HttpResponse r = Curl(server_->port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE rackboot_dhcp_packets_total counter"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("rackboot_dhcp_packets_total{rack=\"rack-a\",result=\"offered\",type=\"discover\"} 3"),
            std::string::npos)
      << r.body;
  // Later updates are visible in the next scrape.
  metrics.dhcp_packets.Add({{"type", "discover"}, {"result", "offered"}}).Increment();
  r = Curl(server_->port(), "/metrics");
  EXPECT_NE(r.body.find("rackboot_dhcp_packets_total{rack=\"rack-a\",result=\"offered\",type=\"discover\"} 4"),
            std::string::npos);
}

// Scrape hooks copy counts kept elsewhere (atomics) into the registry right
// before serialising; SyncCounter only ever moves a counter forward.
TEST_F(MetricsServerTest, ScrapeHooksRunBeforeEachScrape) {
  BootdMetrics metrics(*registry_, "rack-a", "0.1.0");
  std::atomic<uint64_t> sent{0};
  prometheus::Counter& bytes = metrics.tftp_sent_bytes.Add({});
  server_->AddScrapeHook([&] { SyncCounter(bytes, sent.load()); });
  sent = 512;
  EXPECT_NE(Curl(server_->port(), "/metrics").body.find("rackboot_tftp_sent_bytes_total{rack=\"rack-a\"} 512"),
            std::string::npos);
  sent = 2048;
  EXPECT_NE(Curl(server_->port(), "/metrics").body.find("rackboot_tftp_sent_bytes_total{rack=\"rack-a\"} 2048"),
            std::string::npos);
  SyncCounter(bytes, 100);  // a smaller total (a restarted source) never decrements
  EXPECT_EQ(bytes.Value(), 2048);
}

TEST_F(MetricsServerTest, ReadyzFollowsChecksHealthzStaysUp) {
  HttpResponse r = Curl(server_->port(), "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "[-]snapshot failed: no assignment snapshot yet\nreadyz check failed\n");
  r = Curl(server_->port(), "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "healthz check passed\n");
  ready_ = true;
  r = Curl(server_->port(), "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[+]snapshot ok\nreadyz check passed\n");
}

TEST_F(MetricsServerTest, LivenessFailureIs503) {
  health_->AddLiveness("loop", [] { return Status(Error{"stalled"}); });
  HttpResponse r = Curl(server_->port(), "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "[-]loop failed: stalled\nhealthz check failed\n");
}

TEST_F(MetricsServerTest, OtherPathsAndMethods) {
  EXPECT_EQ(Curl(server_->port(), "/").status, 404);
  EXPECT_EQ(Curl(server_->port(), "/metricsx").status, 404);
  EXPECT_EQ(Curl(server_->port(), "/metrics/x").status, 404);
  EXPECT_EQ(Curl(server_->port(), "/metrics", "POST").status, 405);
  EXPECT_EQ(Curl(server_->port(), "/healthz", "DELETE").status, 405);
  HttpResponse head = Curl(server_->port(), "/healthz", "HEAD");
  EXPECT_EQ(head.status, 200);
}

TEST_F(MetricsServerTest, PortInUseIsAnError) {
  auto second = MetricsServer::Start("127.0.0.1:" + std::to_string(server_->port()), registry_, health_);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos) << second.error().message;
}

TEST(MetricsServerStartTest, BadAddressIsAnError) {
  auto server = MetricsServer::Start("not-an-address:x", std::make_shared<prometheus::Registry>(),
                                     std::make_shared<HealthChecks>());
  EXPECT_FALSE(server.ok());
}

// promtool check metrics lints the exposition (names, units, _total, help,
// histogram shape) and exits non-zero on any problem.
void ExpectPromtoolAccepts(int port) {
  CommandResult r = RunCommand("curl -sSf --max-time 20 http://127.0.0.1:" + std::to_string(port) +
                               "/metrics | promtool check metrics");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "") << "promtool lint findings";
}

TEST_F(MetricsServerTest, PromtoolAcceptsBootdScrape) {
  BootdMetrics metrics(*registry_, "rack-a", "0.1.0");
  metrics.dhcp_packets.Add({{"type", "request"}, {"result", "acked"}}).Increment();
  metrics.dhcp_dropped_packets.Add({{"reason", "malformed"}}).Increment();
  metrics.dhcp_leases.Add({{"pool", "10.77.0.0/24"}, {"state", "active"}}).Set(12);
  metrics.tftp_transfers.Add({{"result", "completed"}}).Increment();
  metrics.HttpRequestDuration("artifact").Observe(1.5);
  metrics.http_requests.Add({{"handler", "artifact"}, {"code", "200"}}).Increment();
  metrics.http_response_bytes.Add({{"handler", "artifact"}}).Increment(1 << 20);
  metrics.scripts_rendered.Add({{"kind", "ipxe"}, {"result", "ok"}}).Increment();
  metrics.artifact_cache_requests.Add({{"result", "hit"}}).Increment();
  metrics.assignment_updates.Add({{"result", "ack"}}).Increment();
  ExpectPromtoolAccepts(server_->port());
}

TEST_F(MetricsServerTest, PromtoolAcceptsControllerScrape) {
  ControllerMetrics metrics(*registry_, "0.1.0");
  metrics.AddRack("rack-a");
  metrics.machines.Add({{"rack", "rack-a"}, {"phase", "Booting"}}).Set(2);
  metrics.BootStageDuration("rack-a", "booted").Observe(95);
  metrics.boot_failures.Add({{"rack", "rack-a"}, {"reason", "DhcpTimeout"}}).Increment();
  metrics.reconciles.Add({{"kind", "machine"}, {"result", "success"}}).Increment();
  metrics.ReconcileDuration("machine").Observe(0.004);
  metrics.WorkqueueQueueDuration("machines").Observe(0.0001);
  metrics.kube_api_requests.Add({{"verb", "patch"}, {"code", "200"}}).Increment();
  metrics.KubeApiRequestDuration("patch").Observe(0.02);
  metrics.assignment_pushes.Add({{"rack", "rack-a"}, {"result", "ack"}}).Increment();
  ExpectPromtoolAccepts(server_->port());
}

TEST_F(MetricsServerTest, PromtoolRejectsABadFamily) {
  // Proof that the promtool check above can fail: a counter without _total.
  prometheus::BuildCounter().Name("rackboot_bad_requests").Help("x").Register(*registry_).Add({}).Increment();
  CommandResult r = RunCommand("curl -sSf --max-time 20 http://127.0.0.1:" + std::to_string(server_->port()) +
                               "/metrics | promtool check metrics");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("rackboot_bad_requests"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace rackboot::metrics
