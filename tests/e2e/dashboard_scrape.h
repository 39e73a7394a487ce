#pragma once
// A real Prometheus (Debian `prometheus`) scraping rackboot-controller on
// 127.0.0.1 and the lab's bootd, which serves /metrics inside the lab's
// namespace: scripts/lab/boot --metrics-socket puts a socat there that
// accepts on a path-named unix socket, and a socat here forwards a loopback
// port to that socket, so no route into the lab is needed (the same way bootd
// reaches the controller). After the boot, every PromQL expression of the
// Grafana dashboard is evaluated (tests/support/prometheus_dashboard_check.py).

#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/lab_run.h"
#include "tests/support/child_process.h"

namespace rackboot::testing {

class DashboardScrape {
 public:
  // Empty when this host lacks prometheus or socat.
  static std::string Missing();

  // Files (config, TSDB, logs, the bootd metrics socket) under `dir`;
  // scrapes the controller at 127.0.0.1:<controller_metrics_port> (job
  // controller) and the lab's bootd (job bootd) every second.
  DashboardScrape(const std::string& dir, int controller_metrics_port);

  // scripts/lab/boot arguments: bootd's metrics on the socket this scrapes.
  std::vector<std::string> LabArgs() const { return {"--metrics-socket", bootd_socket_}; }

  // Waits for two fresh scrapes of both jobs, then checks every dashboard
  // expression for `rack`: parses, returns series, at least one not NaN.
  ShellResult CheckDashboard(const std::string& rack) const;

  std::string Logs() const;

 private:
  std::string dir_;
  std::string bootd_socket_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> bridge_;
  std::unique_ptr<ChildProcess> prometheus_;
};

}  // namespace rackboot::testing
