#pragma once
// ReconcileObserver: an optional hook MachineController's workers call after
// each reconcile (metrics; see controller/metrics/). Called on worker
// threads: must be quick.

#include <string_view>

namespace rackboot::controller {

class ReconcileObserver {
 public:
  virtual ~ReconcileObserver() = default;
  // kind: "machine"; ok: the pass succeeded (else it is retried with backoff).
  virtual void OnReconcile(std::string_view kind, bool ok, double seconds) = 0;
};

}  // namespace rackboot::controller
