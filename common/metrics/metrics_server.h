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

#include <memory>
#include <string>

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

 private:
  MetricsServer(std::shared_ptr<prometheus::Registry> registry, std::shared_ptr<HealthChecks> health)
      : registry_(std::move(registry)), health_(std::move(health)) {}

  static int HandleMetrics(mg_connection* conn, void* self);
  static int HandleHealthz(mg_connection* conn, void* self);
  static int HandleReadyz(mg_connection* conn, void* self);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<HealthChecks> health_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

}  // namespace rackboot::metrics
