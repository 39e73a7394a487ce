#include "tests/e2e/dashboard_scrape.h"

#include <fstream>

#include "tests/support/test_paths.h"

namespace rackboot::testing {

std::string DashboardScrape::Missing() {
  for (const char* p : {"prometheus", "socat", "python3"}) {
    if (FindProgram(p).empty()) return std::string(p) + " missing (scripts/setup)";
  }
  return "";
}

DashboardScrape::DashboardScrape(const std::string& dir, int controller_metrics_port)
    : dir_(dir), bootd_socket_(dir + "/bootd-metrics.sock"), port_(FreeLoopbackPort()) {
  const int bootd_port = FreeLoopbackPort();
  // Before the lab exists the socket does not either: those scrapes fail
  // (up == 0) until bootd runs, which is what the check waits for.
  bridge_ = std::make_unique<ChildProcess>(
      FindProgram("socat"),
      std::vector<std::string>{"TCP-LISTEN:" + std::to_string(bootd_port) + ",bind=127.0.0.1,reuseaddr,fork",
                               "UNIX-CONNECT:" + bootd_socket_},
      dir + "/metrics-bridge.log");
  std::ofstream(dir + "/prometheus.yml") << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                            "scrape_configs:\n"
                                            "  - job_name: bootd\n    static_configs: [{targets: [\"127.0.0.1:"
                                         << bootd_port
                                         << "\"]}]\n"
                                            "  - job_name: controller\n    static_configs: [{targets: [\"127.0.0.1:"
                                         << controller_metrics_port << "\"]}]\n";
  prometheus_ = std::make_unique<ChildProcess>(
      FindProgram("prometheus"),
      std::vector<std::string>{"--config.file=" + dir + "/prometheus.yml", "--storage.tsdb.path=" + dir + "/tsdb",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
      dir + "/prometheus.log");
}

ShellResult DashboardScrape::CheckDashboard(const std::string& rack) const {
  // $__rate_interval: a window over the whole boot (it grows with the
  // dashboard's time range in Grafana), so rates and quantiles see it.
  const std::string cmd = "python3 " + SourcePath("tests/support/prometheus_dashboard_check.py") + " --dashboard " +
                          SourcePath("deploy/grafana/rackboot-boot-progress.json") + " --port " +
                          std::to_string(port_) + " --rack " + rack + " --scrapes 2 --rate-interval 5m --finite 2>&1";
  return RunShell(cmd);
}

std::string DashboardScrape::Logs() const {
  const std::string prom = prometheus_->Log();
  return "--- prometheus.log (tail) ---\n" + prom.substr(prom.size() > 4000 ? prom.size() - 4000 : 0) +
         "--- metrics bridge (tail) ---\n" + bridge_->Log().substr(0, 2000);
}

}  // namespace rackboot::testing
