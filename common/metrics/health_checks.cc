#include "common/metrics/health_checks.h"

namespace rackboot::metrics {

void HealthChecks::AddLiveness(std::string name, Check check) {
  std::lock_guard lock(mu_);
  liveness_.emplace_back(std::move(name), std::move(check));
}

void HealthChecks::AddReadiness(std::string name, Check check) {
  std::lock_guard lock(mu_);
  readiness_.emplace_back(std::move(name), std::move(check));
}

HealthChecks::Report HealthChecks::Live() const {
  std::lock_guard lock(mu_);
  return Run(liveness_, "healthz");
}

HealthChecks::Report HealthChecks::Ready() const {
  std::lock_guard lock(mu_);
  return Run(readiness_, "readyz");
}

HealthChecks::Report HealthChecks::Run(const std::vector<Named>& checks, const char* what) {
  Report report;
  for (const auto& [name, check] : checks) {
    Status status = check();
    if (status.ok()) {
      report.body += "[+]" + name + " ok\n";
    } else {
      report.ok = false;
      report.body += "[-]" + name + " failed: " + status.message() + "\n";
    }
  }
  report.body += std::string(what) + (report.ok ? " check passed\n" : " check failed\n");
  return report;
}

}  // namespace rackboot::metrics
