// A rack powering on at once, scaled down: bootd runs with small limits
// (tftp.maxTransfers 4, tftp.maxQueued 8, http.maxConnections 8) and real
// clients arrive together, many more than every limit. Overload must only
// delay them: every client gets its whole file, no TFTP ERROR, no HTTP
// connection closed without a response (issue 24). A client address past
// its own connection limit gets 503 + Retry-After, never a bare close.
// Outcomes are asserted, not durations; the metrics prove the storm did
// run into the limits. BootStormAtDefaultsTest does the same for HTTP and
// HTTPS at the limits bootd ships with (4096 connections, 1024 HTTPS).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kTftpClients = 40;  // 10x tftp.maxTransfers, past maxTransfers + maxQueued
constexpr int kHttpClients = 40;  // 5x http.maxConnections

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs a shell command line (the clients of a storm, started together and
// waited for); returns its exit status.
int Shell(const std::string& script) {
  const std::string cmd = "bash -c '" + script + "'";
  return std::system(cmd.c_str());
}

// The value of a metric series in a /metrics text, -1 when missing.
double MetricValue(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::atof(text.c_str() + at + series.size() + 2);
}

class BootStormTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rbt-storm-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    fs::create_directories(dir_ + "/tftp");
    fs::create_directories(dir_ + "/artifacts");
    fs::create_directories(dir_ + "/out");
    std::mt19937 rng(24);
    content_.resize(1 << 20);
    for (auto& c : content_) c = static_cast<char>(rng());
    std::ofstream(dir_ + "/tftp/undionly.kpxe", std::ios::binary) << content_;
    std::ofstream(dir_ + "/artifacts/vmlinuz", std::ios::binary) << content_;
    tftp_port_ = FreeLoopbackPort();
    http_port_ = FreeLoopbackPort();
    metrics_port_ = FreeLoopbackPort();
    const std::string config = dir_ + "/bootd.yaml";
    std::ofstream(config) << "rack: storm\nlogLevel: info\nstateDir: " << dir_ << "\n"
                          << "tftp:\n  listen: 127.0.0.1:" << tftp_port_ << "\n  root: " << dir_ << "/tftp\n"
                          << TftpLimits() << "http:\n  listen: 127.0.0.1:" << http_port_
                          << "\n  publicUrl: http://127.0.0.1:" << http_port_ << "\n  artifactRoot: " << dir_
                          << "/artifacts\n"
                          << HttpLimits() << "metrics:\n  listen: 127.0.0.1:" << metrics_port_ << "\n";
    bootd_ = std::make_unique<BootdProcess>(config, dir_ + "/bootd.log");
    for (int i = 0; i < 500 && ReadAll(dir_ + "/bootd.log").find("msg=ready") == std::string::npos; ++i) {
      ASSERT_TRUE(bootd_->Running()) << bootd_->Log();
      ::usleep(20000);
    }
    ASSERT_NE(ReadAll(dir_ + "/bootd.log").find("msg=ready"), std::string::npos) << bootd_->Log();
  }
  void TearDown() override {
    if (bootd_) {
      EXPECT_TRUE(bootd_->Running()) << bootd_->Log();
    }
    bootd_.reset();
    fs::remove_all(dir_);
  }
  // The limits of the storm's bootd: small, so a few dozen real clients
  // are past every one of them.
  virtual std::string TftpLimits() { return "  maxTransfers: 4\n  maxQueued: 8\n"; }
  virtual std::string HttpLimits() { return "  maxConnections: 8\n  maxConnectionsPerClient: 2\n"; }

  std::string Metrics() {
    const std::string out = dir_ + "/metrics.txt";
    Shell("curl -s -o " + out + " http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics");
    return ReadAll(out);
  }

  std::string dir_;
  std::string content_;
  int tftp_port_ = 0, http_port_ = 0, metrics_port_ = 0;
  std::unique_ptr<BootdProcess> bootd_;
};

TEST_F(BootStormTest, TftpStormPastEveryLimitBootsEveryClientWithoutError) {
  // atftp and tftp-hpa, as iPXE's and the ROMs' stand-ins: both retransmit
  // an unanswered RRQ (every 5 s, about five times) and stop on an ERROR.
  const std::string port = std::to_string(tftp_port_);
  const std::string out = dir_ + "/out";
  std::string script = "for i in $(seq 1 " + std::to_string(kTftpClients) + "); do ";
  script += "if [ $((i % 4)) -eq 0 ]; then tftp -m binary 127.0.0.1 " + port + " -c get undionly.kpxe " + out +
            "/t$i >" + out + "/t$i.log 2>&1 & ";
  script += "else atftp -g -r undionly.kpxe -l " + out + "/t$i 127.0.0.1 " + port + " >" + out +
            "/t$i.log 2>&1 & fi; done; wait";
  Shell(script);
  for (int i = 1; i <= kTftpClients; ++i) {
    const std::string name = out + "/t" + std::to_string(i);
    EXPECT_TRUE(ReadAll(name) == content_) << "client " << i << ": " << ReadAll(name + ".log");
    EXPECT_EQ(ReadAll(name + ".log").find("rror"), std::string::npos)
        << "client " << i << ": " << ReadAll(name + ".log");
  }
  const std::string m = Metrics();
  EXPECT_EQ(MetricValue(m, "rackboot_tftp_transfers_total{rack=\"storm\",result=\"refused\"}"), 0) << m;
  EXPECT_EQ(MetricValue(m, "rackboot_tftp_transfers_total{rack=\"storm\",result=\"completed\"}"), kTftpClients);
  // The storm did run into both limits.
  EXPECT_GT(MetricValue(m, "rackboot_tftp_overload_requests_total{rack=\"storm\",action=\"queued\"}"), 0) << m;
  EXPECT_NE(ReadAll(dir_ + "/bootd.log").find("at capacity: boots are delayed"), std::string::npos);
}

TEST_F(BootStormTest, HttpStormPastTheConnectionLimitServesEveryClient) {
  // One address per client (127.0.0.0/8 is all loopback), as machines of a
  // rack have: the per-client limit must not mistake the rack for an attack.
  // --limit-rate keeps each download open long enough for the connections
  // to pile up past maxConnections.
  const std::string url = "http://127.0.0.1:" + std::to_string(http_port_) + "/artifacts/vmlinuz";
  const std::string out = dir_ + "/out";
  Shell("for i in $(seq 1 " + std::to_string(kHttpClients) +
        "); do curl -s --interface 127.0.1.$i --limit-rate 2M -o " + out + "/h$i -w \"%{http_code}\" " + url + " >" +
        out + "/h$i.code 2>" + out + "/h$i.err & done; wait");
  for (int i = 1; i <= kHttpClients; ++i) {
    const std::string name = out + "/h" + std::to_string(i);
    EXPECT_EQ(ReadAll(name + ".code"), "200") << "client " << i << ": " << ReadAll(name + ".err");
    EXPECT_TRUE(ReadAll(name) == content_) << "client " << i;
  }
  const std::string m = Metrics();
  EXPECT_GT(MetricValue(m, "rackboot_http_overload_total{rack=\"storm\",action=\"accept_paused\"}"), 0) << m;
  EXPECT_EQ(MetricValue(m, "rackboot_http_overload_total{rack=\"storm\",action=\"client_over_limit\"}"), 0) << m;
}

TEST_F(BootStormTest, ClientPastItsConnectionLimitIsAnswered503WithRetryAfter) {
  // Six connections from one address, limit 2: every one gets a response,
  // the ones past the limit a 503 that says when to retry.
  const std::string url = "http://127.0.0.1:" + std::to_string(http_port_) + "/artifacts/vmlinuz";
  const std::string out = dir_ + "/out";
  Shell("for i in $(seq 1 6); do curl -s --interface 127.0.2.1 --limit-rate 512K -D " + out + "/c$i.head -o " + out +
        "/c$i -w \"%{http_code}\" " + url + " >" + out + "/c$i.code 2>" + out + "/c$i.err & done; wait");
  int ok = 0, busy = 0;
  for (int i = 1; i <= 6; ++i) {
    const std::string name = out + "/c" + std::to_string(i);
    const std::string code = ReadAll(name + ".code");
    if (code == "200") {
      ++ok;
      EXPECT_TRUE(ReadAll(name) == content_) << "client " << i;
    } else {
      EXPECT_EQ(code, "503") << "connection " << i << " got no response: " << ReadAll(name + ".err");
      EXPECT_NE(ReadAll(name + ".head").find("\r\nRetry-After: 1\r\n"), std::string::npos) << ReadAll(name + ".head");
      ++busy;
    }
  }
  EXPECT_GE(ok, 2);
  EXPECT_GE(busy, 1);
  const std::string m = Metrics();
  EXPECT_EQ(MetricValue(m, "rackboot_http_overload_total{rack=\"storm\",action=\"client_over_limit\"}"), busy) << m;
}

// bootd with the connection limits it ships with (http.maxConnections
// 4096, http.maxTlsConnections 1024: a thread each) and a storm of more
// connections than each, from wrk (one process holds thousands; curl's
// --parallel ignores --limit-rate, and a process per connection would need
// gigabytes). wrk has a single source address, so only the per-client limit
// is raised, for this test alone: its own behaviour is the test above.
// Every connection asks "Connection: close", so wrk keeps all of them in
// flight, connecting again after each response: at any moment more are
// outstanding than bootd admits, and the rest wait in the listen backlog.
class BootStormAtDefaultsTest : public BootStormTest {
 protected:
  std::string TftpLimits() override { return ""; }
  std::string HttpLimits() override {
    const std::string pki = SourcePath("tests/integration/grpc/make_test_pki.sh") + " " + dir_ + "/pki >/dev/null 2>&1";
    EXPECT_EQ(std::system(pki.c_str()), 0);
    tls_port_ = FreeLoopbackPort();
    return "  tlsListen: 127.0.0.1:" + std::to_string(tls_port_) + "\n  tlsCertFile: " + dir_ +
           "/pki/controller.pem\n  tlsKeyFile: " + dir_ + "/pki/controller.key\n  maxConnectionsPerClient: 65536\n";
  }

  // wrk's report of `connections` connections to `url` for `seconds`.
  std::string Wrk(const std::string& url, int connections, int seconds) {
    const std::string out = dir_ + "/out/wrk-" + std::to_string(connections) + ".txt";
    EXPECT_EQ(
        Shell("wrk --threads 2 --connections " + std::to_string(connections) + " --duration " +
              std::to_string(seconds) + "s --timeout 120s -H \"Connection: close\" " + url + " >" + out + " 2>&1"),
        0)
        << ReadAll(out);
    return ReadAll(out);
  }

  // No refusal and no connection closed without a response: wrk prints a
  // "Socket errors" line for connect/read/write/timeout errors (a bare close
  // is a read error) and "Non-2xx or 3xx responses" for any 503.
  static void ExpectEveryRequestAnswered(const std::string& report) {
    EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
    EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
    EXPECT_NE(report.find(" requests in "), std::string::npos) << report;
  }

  int tls_port_ = 0;
};

TEST_F(BootStormAtDefaultsTest, HttpAndHttpsStormsPastTheShippedLimitsAnswerEveryRequest) {
  const std::string paused = "rackboot_http_overload_total{rack=\"storm\",action=\"accept_paused\"}";

  // 6,000 connections against http.maxConnections 4096.
  ExpectEveryRequestAnswered(Wrk("http://127.0.0.1:" + std::to_string(http_port_) + "/artifacts/vmlinuz", 6000, 15));
  const std::string after_http = Metrics();
  EXPECT_GT(MetricValue(after_http, paused), 0) << "the storm never reached http.maxConnections";

  // 1,500 connections against http.maxTlsConnections 1024.
  ExpectEveryRequestAnswered(Wrk("https://127.0.0.1:" + std::to_string(tls_port_) + "/artifacts/vmlinuz", 1500, 15));
  const std::string after_https = Metrics();
  EXPECT_GT(MetricValue(after_https, paused), MetricValue(after_http, paused))
      << "the HTTPS storm never reached http.maxTlsConnections";
  EXPECT_NE(ReadAll(dir_ + "/bootd.log").find("at capacity: boots are delayed"), std::string::npos);
}

}  // namespace
}  // namespace rackboot::testing
