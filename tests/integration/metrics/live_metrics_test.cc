// The real bootd and rackboot-controller binaries serve /metrics, /healthz
// and /readyz from their config's metrics.listen. Real traffic (udhcpc, curl
// over HTTP and TFTP, a malformed datagram; kubectl apply of a Machine)
// must move the counters, every live scrape must pass `promtool check
// metrics`, every metric the Grafana dashboard queries must be exported by
// the running binaries (names taken from the live scrapes), and
// docs/metrics.md must list exactly the families each binary serves.
//
// bootd runs in a network namespace of its own lab (fixture netns); the
// controller talks to the test apiserver (fixture k8s) and serves metrics on
// an ephemeral 127.0.0.1 port.
#include <gtest/gtest.h>

#include <cctype>

#include "tests/integration/controller/kube_test_env.h"
#include "tests/integration/dhcp/dhcp_lab.h"
#include "tests/integration/metrics/scrape.h"
#include "tests/support/child_process.h"

namespace rackboot::testing::metrics {
namespace {

using dhcp::ReadFile;
using dhcp::WriteFile;

constexpr const char* kMac = "52:54:00:12:34:56";
constexpr const char* kBootdMetricsUrl = "http://192.0.2.1:9100";

// bootd in namespace "srv" of `lab`, standalone (one Machine manifest), DHCP
// server + TFTP + HTTP + metrics on 192.0.2.1; client namespace "cli" with
// the Machine's MAC.
class BootdLab {
 public:
  BootdLab() : lab_("metrics") {
    lab_.AddNamespace("srv");
    lab_.AddNamespace("cli");
    lab_.AddVeth("srv", "eth0", "cli", "eth0");
    lab_.SetAddress("srv", "eth0", "192.0.2.1/24");
    lab_.Run("cli", {"ip", "link", "set", "eth0", "address", kMac});
    lab_.SetUp("srv", "eth0");
    lab_.SetUp("cli", "eth0");
    const std::string wd = lab_.work_dir();
    for (const char* dir : {"/manifests", "/tftp", "/artifacts"}) std::system(("mkdir -p " + wd + dir).c_str());
    WriteFile(wd + "/tftp/undionly.kpxe", std::string(70000, 'x'));
    WriteFile(wd + "/artifacts/vmlinuz", std::string(5000, 'k'));
    WriteFile(wd + "/manifests/machines.yaml",
              dhcp::TinyMachineManifest("node-1", kMac, "http://192.0.2.1:8080/artifacts/vmlinuz"));
    dhcp::LabBootdConfig config(wd);
    config.manifest_dir = wd + "/manifests";
    config.sections = "tftp:\n  listen: 192.0.2.1:69\n  root: " + wd +
                      "/tftp\n"
                      "http:\n  listen: 192.0.2.1:8080\n  publicUrl: http://192.0.2.1:8080\n  artifactRoot: " +
                      wd +
                      "/artifacts\n"
                      "metrics:\n  listen: 192.0.2.1:9100\n";
    bootd_ = dhcp::StartBootd(lab_, "srv", config.Yaml());
  }

  NetnsLab& lab() { return lab_; }
  LabProcess& bootd() { return *bootd_; }

  // curl in namespace `ns` ("cli" once it has a lease; "srv" for bootd's
  // own metrics address); returns the body (or "%{http_code}").
  std::string Curl(const std::vector<std::string>& args, const std::string& ns = "cli") {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "20"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    lab_.Run(ns, argv, &out);
    return out;
  }
  std::string Scrape() { return Curl({std::string(kBootdMetricsUrl) + "/metrics"}, "srv"); }
  std::string StatusOf(const std::string& path) {
    return Curl({"-o", "/dev/null", "-w", "%{http_code}", std::string(kBootdMetricsUrl) + path}, "srv");
  }

  // DHCP, HTTP and TFTP traffic from the client, one malformed datagram.
  void DriveTraffic() {
    const std::string wd = lab_.work_dir();
    const std::string events = wd + "/udhcpc-events", hook = wd + "/udhcpc-hook";
    WriteFile(hook, dhcp::UdhcpcScript(events), true);
    std::string out;
    ASSERT_EQ(
        lab_.Run("cli", {"timeout", "60", "udhcpc", "-q", "-n", "-i", "eth0", "-s", hook, "-t", "10", "-T", "1"}, &out),
        0)
        << out << bootd_->Output();
    ASSERT_NE(ReadFile(events).find("bound "), std::string::npos) << ReadFile(events);
    EXPECT_EQ(Curl({"-o", "/dev/null", "-w", "%{http_code}", "http://192.0.2.1:8080/ipxe/" + std::string(kMac)}),
              "200");
    EXPECT_EQ(Curl({"-o", "/dev/null", "-w", "%{http_code}", "http://192.0.2.1:8080/artifacts/vmlinuz"}), "200");
    EXPECT_EQ(Curl({"-o", "/dev/null", "-w", "%{http_code}", "http://192.0.2.1:8080/no/such/route"}), "404");
    EXPECT_EQ(Curl({"-o", wd + "/fetched.kpxe", "tftp://192.0.2.1/undionly.kpxe"}), "");
    EXPECT_EQ(ReadFile(wd + "/fetched.kpxe").size(), 70000u);
    // 4 bytes to the DHCP port: too short to be BOOTP (RFC 2131 §2).
    ASSERT_EQ(lab_.Run("cli", {"bash", "-c", "printf junk > /dev/udp/192.0.2.1/67"}), 0);
  }

 private:
  NetnsLab lab_;
  std::unique_ptr<LabProcess> bootd_;
};

std::string ControllerConfig(const std::string& ns, int metrics_port) {
  return TestControllerConfig(ns) + "metrics:\n  listen: 127.0.0.1:" + std::to_string(metrics_port) + "\n";
}

// curl on loopback (the controller's metrics port).
std::string CurlLocal(const std::string& args) {
  std::string out;
  FILE* p = popen(("curl -sS --max-time 20 " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (p) pclose(p);
  return out;
}

// The controller of one test namespace with an Assigned Machine.
class ControllerRun {
 public:
  ControllerRun() : ns_("metrics"), port_(FreeLoopbackPort()) {}

  void Start() {
    ASSERT_GT(port_, 0);
    ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns_.name(), "ubuntu", "console=ttyS0")).exit_code, 0);
    ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns_.name(), "m1", "52:54:00:00:09:01", "ubuntu")).exit_code, 0);
    controller_ = std::make_unique<ControllerProcess>("metrics", ControllerConfig(ns_.name(), port_));
    ASSERT_TRUE(testing::WaitUntil([&] {
      return StatusField(KubectlJson("get machine -n " + ns_.name() + " m1"), "phase") == "Assigned";
    })) << controller_->Log();
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string Scrape() const { return CurlLocal(Url("/metrics")); }
  std::string StatusOf(const std::string& path) const {
    return CurlLocal("-o /dev/null -w '%{http_code}' " + Url(path));
  }
  ControllerProcess& process() { return *controller_; }
  const std::string& ns() const { return ns_.name(); }

 private:
  TestNamespace ns_;
  int port_;
  std::unique_ptr<ControllerProcess> controller_;
};

// "52:54:00:12:34:56" / "52-54-..." anywhere in `v`.
bool LooksLikeMac(const std::string& v) {
  for (size_t i = 0; i + 17 <= v.size(); ++i) {
    bool ok = true;
    for (size_t j = 0; j < 17 && ok; ++j) {
      const char c = v[i + j];
      ok = (j % 3 == 2) ? (c == ':' || c == '-') : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    }
    if (ok) return true;
  }
  return false;
}

// A whole dotted-quad value (a pool's "a.b.c.d/len" is a configured subnet).
bool IsIpv4(const std::string& v) {
  int dots = 0;
  for (char c : v) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

// No series may carry a per-machine value (MAC or IPv4 address).
void ExpectNoPerMachineLabels(const std::vector<Sample>& samples) {
  for (const Sample& s : samples) {
    for (const auto& [k, v] : s.labels) {
      EXPECT_FALSE(LooksLikeMac(v)) << s.name << " " << k << "=" << v;
      EXPECT_FALSE(IsIpv4(v)) << s.name << " " << k << "=" << v;
      EXPECT_NE(k, "mac") << s.name;
      EXPECT_NE(k, "machine") << s.name;
    }
  }
}

TEST(BootdLiveMetricsTest, RealTrafficMovesTheCountersAndTheScrapeLints) {
  ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
  BootdLab lab;
  ASSERT_TRUE(lab.bootd().Running()) << lab.bootd().Output();
  ASSERT_TRUE(dhcp::WaitUntil([&] { return lab.StatusOf("/readyz") == "200"; }))
      << lab.Curl({kBootdMetricsUrl + std::string("/readyz")}, "srv") << lab.bootd().Output();
  EXPECT_EQ(lab.StatusOf("/healthz"), "200");
  const std::vector<Sample> before = ParseScrape(lab.Scrape());
  EXPECT_EQ(SumOf(before, "rackboot_dhcp_packets_total", {{"type", "discover"}, {"result", "offered"}}), 0);
  // No request yet: the handlers' series exist (zero-initialised at start so
  // dashboards see 0, not "no data") and are all 0.
  EXPECT_EQ(SumOf(before, "rackboot_http_requests_total"), 0);
  EXPECT_EQ(SumOf(before, "rackboot_http_requests_total", {{"handler", "script"}, {"code", "200"}}), 0);

  lab.DriveTraffic();
  const std::string text = lab.Scrape();
  std::string lint;
  EXPECT_EQ(PromtoolCheckMetrics(text, &lint), 0) << lint << text;
  const std::vector<Sample> s = ParseScrape(text);
  EXPECT_EQ(SumOf(s, "rackboot_build_info", {{"component", "bootd"}, {"rack", "rack-a"}}), 1);
  // DHCP: DISCOVER->OFFER, REQUEST->ACK, the bound lease, the junk datagram.
  EXPECT_GE(SumOf(s, "rackboot_dhcp_packets_total", {{"type", "discover"}, {"result", "offered"}}), 1) << text;
  EXPECT_GE(SumOf(s, "rackboot_dhcp_packets_total", {{"type", "request"}, {"result", "acked"}}), 1) << text;
  EXPECT_GE(SumOf(s, "rackboot_dhcp_processing_duration_seconds_count"), 2);
  EXPECT_EQ(SumOf(s, "rackboot_dhcp_leases", {{"pool", "192.0.2.0/24"}, {"state", "active"}}), 1) << text;
  EXPECT_EQ(SumOf(s, "rackboot_dhcp_leases", {{"pool", "192.0.2.0/24"}}), 21);  // .100-.120, every state
  EXPECT_TRUE(dhcp::WaitUntil([&] {
    return SumOf(ParseScrape(lab.Scrape()), "rackboot_dhcp_dropped_packets_total", {{"reason", "too_short"}}) >= 1;
  })) << lab.Scrape();
  // HTTP by handler and code; the rendered iPXE script.
  EXPECT_GE(SumOf(s, "rackboot_http_requests_total", {{"handler", "script"}, {"code", "200"}}), 1) << text;
  EXPECT_GE(SumOf(s, "rackboot_http_requests_total", {{"handler", "artifact"}, {"code", "200"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_http_requests_total", {{"handler", "other"}, {"code", "404"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_http_response_bytes_total", {{"handler", "artifact"}}), 5000);
  EXPECT_GE(SumOf(s, "rackboot_http_request_duration_seconds_count", {{"handler", "script"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_scripts_rendered_total", {{"kind", "ipxe"}, {"result", "ok"}}), 1);
  // TFTP: one completed transfer of 70000 bytes.
  EXPECT_GE(SumOf(s, "rackboot_tftp_transfers_total", {{"result", "completed"}}), 1) << text;
  EXPECT_GE(SumOf(s, "rackboot_tftp_sent_bytes_total"), 70000);
  EXPECT_GE(SumOf(s, "rackboot_tftp_transfer_duration_seconds_count"), 1);
  // Boot stages bootd recorded, and the standalone assignment.
  EXPECT_GE(SumOf(s, "rackboot_bootd_boot_events_total", {{"stage", "dhcp_discover"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_bootd_boot_events_total", {{"stage", "script"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_bootd_boot_events_total", {{"stage", "kernel"}}) +
                SumOf(s, "rackboot_bootd_boot_events_total", {{"stage", "boot_file"}}),
            1);
  EXPECT_EQ(SumOf(s, "rackboot_bootd_assignments"), 1);
  EXPECT_EQ(SumOf(s, "rackboot_bootd_controller_stream_state", {{"state", "idle"}}), 1);  // standalone
  ExpectNoPerMachineLabels(s);
}

TEST(ControllerLiveMetricsTest, ReconcilingAMachineMovesTheCountersAndTheScrapeLints) {
  ControllerRun run;
  run.Start();
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_TRUE(testing::WaitUntil([&] { return run.StatusOf("/readyz") == "200"; })) << run.process().Log();
  EXPECT_EQ(run.StatusOf("/healthz"), "200");
  // The gauge comes from the informer cache, which sees the status write
  // shortly after the apiserver does.
  ASSERT_TRUE(testing::WaitUntil([&] {
    return SumOf(ParseScrape(run.Scrape()), "rackboot_machines", {{"rack", "rack-a"}, {"phase", "Assigned"}}) == 1;
  })) << run.Scrape();
  const std::string text = run.Scrape();
  std::string lint;
  EXPECT_EQ(PromtoolCheckMetrics(text, &lint), 0) << lint << text;
  const std::vector<Sample> s = ParseScrape(text);
  EXPECT_EQ(SumOf(s, "rackboot_build_info", {{"component", "controller"}}), 1);
  EXPECT_EQ(SumOf(s, "rackboot_machines", {{"rack", "rack-a"}, {"phase", "Pending"}}), 0);
  EXPECT_EQ(SumOf(s, "rackboot_ip_pool_addresses", {{"rack", "rack-a"}, {"state", "allocated"}}), 1);
  EXPECT_EQ(SumOf(s, "rackboot_ip_pool_addresses", {{"rack", "rack-a"}, {"state", "free"}}), 9);
  EXPECT_GE(SumOf(s, "rackboot_controller_reconciles_total", {{"kind", "machine"}, {"result", "success"}}), 1) << text;
  EXPECT_GE(SumOf(s, "rackboot_controller_reconcile_duration_seconds_count", {{"kind", "machine"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_controller_workqueue_adds_total", {{"queue", "machine"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_controller_workqueue_queue_duration_seconds_count", {{"queue", "machine"}}), 1);
  EXPECT_GE(SumOf(s, "rackboot_controller_workqueue_depth", {{"queue", "machine"}}), 0);
  // API requests: the informers' lists and watches, the Event it created.
  EXPECT_GE(SumOf(s, "rackboot_controller_kube_api_requests_total", {{"verb", "list"}, {"code", "200"}}), 2) << text;
  EXPECT_GE(SumOf(s, "rackboot_controller_kube_api_requests_total", {{"verb", "watch"}, {"code", "200"}}), 1);
  // Its writes (finalizer, /status) went through the same transport.
  EXPECT_GE(std::max(0.0, SumOf(s, "rackboot_controller_kube_api_requests_total", {{"verb", "update"}})) +
                std::max(0.0, SumOf(s, "rackboot_controller_kube_api_requests_total", {{"verb", "patch"}})),
            1)
      << text;
  EXPECT_GE(SumOf(s, "rackboot_controller_kube_api_request_duration_seconds_count", {{"verb", "list"}}), 2);
  EXPECT_EQ(SumOf(s, "rackboot_controller_leader"), 1);
  EXPECT_EQ(SumOf(s, "rackboot_controller_bootd_connected", {{"rack", "rack-a"}}), 0);  // no bootd here
  // Nothing booted yet: the funnel and the boot-loop gauge are zeros.
  EXPECT_EQ(SumOf(s, "rackboot_machines_boot_stage", {{"rack", "rack-a"}, {"stage", "dhcp_discover"}}), 0) << text;
  EXPECT_EQ(SumOf(s, "rackboot_machines_boot_loop", {{"rack", "rack-a"}}), 0) << text;
  ExpectNoPerMachineLabels(s);

  // bootd's boot progress as the controller writes it into the status: the
  // current attempt reached dhcp_ack after three restarts, and BootLoop is
  // True. The funnel counts the machine once at every stage this attempt
  // reached (not once per restart), and at none beyond.
  const std::string t = "2026-12-08T01:02:03.000000Z";
  const std::string stage = "{\"time\":\"" + t + "\",\"stage\":\"";
  const CommandResult patched =
      Kubectl("patch machines.rackboot.io m1 -n " + run.ns() +
              " --subresource=status --type=merge -p '{\"status\":{\"bootProgress\":{\"bootCount\":0,\"restarts\":3,"
              "\"lastStage\":\"dhcp_ack\",\"lastStageTime\":\"" +
              t + "\",\"stages\":[" + stage + "dhcp_discover\"}," + stage + "dhcp_offer\"}," + stage +
              "dhcp_ack\"}]},\"conditions\":[{\"type\":\"BootLoop\",\"status\":" +
              "\"True\",\"reason\":\"RestartedRepeatedly\",\"message\":\"m\",\"lastTransitionTime\":\"" +
              "2026-12-08T01:00:00Z\"}]}}'");
  ASSERT_EQ(patched.exit_code, 0) << patched.output;
  ASSERT_TRUE(testing::WaitUntil([&] {
    return SumOf(ParseScrape(run.Scrape()), "rackboot_machines_boot_stage",
                 {{"rack", "rack-a"}, {"stage", "dhcp_ack"}}) == 1;
  })) << run.Scrape()
      << KubectlJson("get machines.rackboot.io -n " + run.ns() + " m1").serialize();
  const std::vector<Sample> after = ParseScrape(run.Scrape());
  EXPECT_EQ(SumOf(after, "rackboot_machines_boot_stage", {{"rack", "rack-a"}, {"stage", "dhcp_discover"}}), 1);
  EXPECT_EQ(SumOf(after, "rackboot_machines_boot_stage", {{"rack", "rack-a"}, {"stage", "boot_file"}}), 0);
  EXPECT_EQ(SumOf(after, "rackboot_machines_boot_stage", {{"rack", "rack-a"}, {"stage", "booted"}}), 0);
  // The reconcile that follows the status write keeps bootd's condition.
  ASSERT_TRUE(testing::WaitUntil([&] {
    return SumOf(ParseScrape(run.Scrape()), "rackboot_machines_boot_loop", {{"rack", "rack-a"}}) == 1;
  })) << run.Scrape()
      << KubectlJson("get machines.rackboot.io -n " + run.ns() + " m1").serialize();
  ExpectNoPerMachineLabels(after);
  EXPECT_TRUE(run.process().Running()) << run.process().Log();
}

// `documented` minus `served` and the other way round, for a failure message.
std::string Differences(const std::set<std::string>& documented, const std::set<std::string>& served) {
  std::string out;
  for (const std::string& n : documented) {
    if (!served.count(n)) out += "  documented, not served: " + n + "\n";
  }
  for (const std::string& n : served) {
    if (!documented.count(n)) out += "  served, not documented: " + n + "\n";
  }
  return out;
}

// Both binaries run once here (a netns lab and the test apiserver), so the
// dashboard check and the docs check share them.
TEST(DashboardLiveMetricsTest, DashboardMetricsAreServedAndDocsListExactlyTheServedFamilies) {
  ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
  const std::set<std::string> wanted = DashboardMetricNames(RACKBOOT_DASHBOARD_JSON);
  ASSERT_GE(wanted.size(), 20u);  // the dashboard parsed
  BootdLab lab;
  ASSERT_TRUE(lab.bootd().Running()) << lab.bootd().Output();
  lab.DriveTraffic();  // series created on first use (HTTP handlers and codes)
  ControllerRun run;
  run.Start();
  if (::testing::Test::HasFatalFailure()) return;
  // Wait until the controller has seen its Machine in the cache-fed gauges
  // and made a timed (non-watch) API request: every family has a series.
  ASSERT_TRUE(testing::WaitUntil([&] {
    return SumOf(ParseScrape(run.Scrape()), "rackboot_controller_kube_api_request_duration_seconds_count") > 0;
  })) << run.Scrape();
  const std::string bootd_text = lab.Scrape(), controller_text = run.Scrape();
  std::set<std::string> exported = SampleNames(ParseScrape(bootd_text));
  for (const std::string& name : SampleNames(ParseScrape(controller_text))) exported.insert(name);
  for (const std::string& name : wanted) EXPECT_TRUE(exported.count(name)) << name << " is not exported";

  const std::string docs = std::string(RACKBOOT_SOURCE_DIR) + "/docs/metrics.md";
  const std::set<std::string> bootd_docs = DocumentedMetrics(docs, "bootd");
  const std::set<std::string> controller_docs = DocumentedMetrics(docs, "controller");
  ASSERT_GE(bootd_docs.size(), 20u) << docs;  // the sections were found
  ASSERT_GE(controller_docs.size(), 15u) << docs;
  const std::set<std::string> bootd_served = FamilyNames(bootd_text);
  const std::set<std::string> controller_served = FamilyNames(controller_text);
  EXPECT_EQ(bootd_docs, bootd_served) << "docs/metrics.md, section bootd:\n" << Differences(bootd_docs, bootd_served);
  EXPECT_EQ(controller_docs, controller_served) << "docs/metrics.md, section controller:\n"
                                                << Differences(controller_docs, controller_served);
}

}  // namespace
}  // namespace rackboot::testing::metrics
