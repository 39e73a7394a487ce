#pragma once
// HealthChecks: the named checks behind /healthz (liveness: restart me if
// this fails) and /readyz (readiness: do not send me traffic / count me as
// available). Checks run on the HTTP server's threads at every probe, so
// they must be cheap and must not block: read an atomic or a timestamp that
// the component updates, never do I/O.
//
// Readiness is about "can this process do its job", not leadership: a
// controller replica that is not the leader is still ready (a warm standby);
// otherwise a rolling update of a 2-replica Deployment would stall.

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace rackboot::metrics {

class HealthChecks {
 public:
  using Check = std::function<Status()>;

  // The outcome of one probe: ok only if every check passed. `body` lists
  // each check as "[+]name ok" or "[-]name failed: reason" (the format of
  // kube-apiserver's /readyz?verbose), then a summary line.
  struct Report {
    bool ok = true;
    std::string body;
  };

  void AddLiveness(std::string name, Check check);
  void AddReadiness(std::string name, Check check);

  Report Live() const;
  Report Ready() const;

 private:
  using Named = std::pair<std::string, Check>;
  static Report Run(const std::vector<Named>& checks, const char* what);

  mutable std::mutex mu_;
  std::vector<Named> liveness_;
  std::vector<Named> readiness_;
};

}  // namespace rackboot::metrics
