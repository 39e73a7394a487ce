#pragma once
// MetricsServer: the small HTTP endpoint both binaries expose (config
// `metrics.listen`): GET /metrics (Prometheus text format 0.0.4 from a
// prometheus::Registry), /healthz and /readyz (HealthChecks; 200 or 503).
//
// Why not prometheus::Exposer: it serves only collectables (no status codes
// other than 200, no other paths), and kubelet probes need 503 on failure.
// It embeds civetweb; so does this class, through civetweb's C API, which
// lets us register our own handlers with a context pointer.

#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics/health_checks.h"
#include "common/result.h"

struct mg_context;
struct mg_connection;

namespace rackboot::metrics {

class MetricsServer {
 public:
  // `listen` is host:port ("0.0.0.0:9100", "127.0.0.1:0" for an ephemeral
  // port, "[::]:9100"). Fails when the address cannot be bound.
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& listen,
                                                      std::shared_ptr<prometheus::Registry> registry,
                                                      std::shared_ptr<HealthChecks> health);
  ~MetricsServer();  // stops the server; waits for running handlers
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }  // the bound port (resolves ":0")

  // Runs `hook` before every /metrics scrape, serialised with other scrapes.
  // Components that already count in atomics (DHCP drops, TFTP counters,
  // informer caches) are copied into the registry here instead of being
  // threaded through every call site.
  void AddScrapeHook(std::function<void()> hook);

 private:
  MetricsServer(std::shared_ptr<prometheus::Registry> registry, std::shared_ptr<HealthChecks> health)
      : registry_(std::move(registry)), health_(std::move(health)) {}

  static int HandleMetrics(mg_connection* conn, void* self);
  static int HandleHealthz(mg_connection* conn, void* self);
  static int HandleReadyz(mg_connection* conn, void* self);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<HealthChecks> health_;
  std::mutex scrape_mu_;
  std::vector<std::function<void()>> scrape_hooks_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

// A binary's endpoint from its config: nullptr when `listen` is empty (off),
// else a started server running `before_scrape` before every scrape (and
// logging the bound port for `component`). A bind failure is an error.
Result<std::unique_ptr<MetricsServer>> StartMetricsEndpoint(const std::string& component, const std::string& listen,
                                                            std::shared_ptr<prometheus::Registry> registry,
                                                            std::shared_ptr<HealthChecks> health,
                                                            std::function<void()> before_scrape);

}  // namespace rackboot::metrics
