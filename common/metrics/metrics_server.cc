#include "common/metrics/metrics_server.h"

#include <civetweb.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <cstring>
#include <string_view>

#include "common/log.h"

namespace rackboot::metrics {

namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

// Writes a complete response. Connection: close keeps civetweb's few worker
// threads free for the next scrape or probe.
int Respond(mg_connection* conn, int status, std::string_view content_type, std::string_view body) {
  const mg_request_info* info = mg_get_request_info(conn);
  bool head = info != nullptr && info->request_method != nullptr && std::strcmp(info->request_method, "HEAD") == 0;
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
            "Connection: close\r\n\r\n",
            status, ReasonPhrase(status), static_cast<int>(content_type.size()), content_type.data(), body.size());
  if (!head) mg_write(conn, body.data(), body.size());
  return status;
}

// Only GET and HEAD; anything else is 405 (a probe misconfigured as POST
// should fail loudly, not pass).
bool MethodAllowed(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->request_method == nullptr) return false;
  return std::strcmp(info->request_method, "GET") == 0 || std::strcmp(info->request_method, "HEAD") == 0;
}

int LogMessage(const mg_connection* /*conn*/, const char* message) {
  log::Warn("metrics", "http server", {{"error", message}});
  return 1;  // handled: civetweb does not print it again
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen,
                                                            std::shared_ptr<prometheus::Registry> registry,
                                                            std::shared_ptr<HealthChecks> health) {
  std::unique_ptr<MetricsServer> server(new MetricsServer(std::move(registry), std::move(health)));
  const char* options[] = {"listening_ports", listen.c_str(),      "num_threads", "4",    "request_timeout_ms",
                           "10000",           "enable_keep_alive", "no",          nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = &LogMessage;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = server.get();
  init.configuration_options = options;
  std::array<char, 256> error_text{};
  mg_error_data error{};
  error.text = error_text.data();
  error.text_buffer_size = error_text.size();
  server->ctx_ = mg_start2(&init, &error);
  if (server->ctx_ == nullptr) {
    return Error{"metrics: cannot listen on " + listen + ": " + error_text.data()};
  }
  // "$" anchors the pattern: /metrics/x and /healthzfoo are 404s.
  mg_set_request_handler(server->ctx_, "/metrics$", &MetricsServer::HandleMetrics, server.get());
  mg_set_request_handler(server->ctx_, "/healthz$", &MetricsServer::HandleHealthz, server.get());
  mg_set_request_handler(server->ctx_, "/readyz$", &MetricsServer::HandleReadyz, server.get());
  mg_server_port ports[4]{};
  int n = mg_get_server_ports(server->ctx_, 4, ports);
  if (n < 1) return Error{"metrics: no listening port for " + listen};
  server->port_ = ports[0].port;
  return server;
}

Result<std::unique_ptr<MetricsServer>> StartMetricsEndpoint(const std::string& component, const std::string& listen,
                                                            std::shared_ptr<prometheus::Registry> registry,
                                                            std::shared_ptr<HealthChecks> health,
                                                            std::function<void()> before_scrape) {
  if (listen.empty()) return std::unique_ptr<MetricsServer>();
  auto server = MetricsServer::Start(listen, std::move(registry), std::move(health));
  if (!server.ok()) return server.error();
  if (before_scrape) (*server)->AddScrapeHook(std::move(before_scrape));
  log::Info(component, "metrics listening", {{"listen", listen}, {"port", (*server)->port()}});
  return server;
}

void MetricsServer::AddScrapeHook(std::function<void()> hook) {
  std::lock_guard lock(scrape_mu_);
  scrape_hooks_.push_back(std::move(hook));
}

MetricsServer::~MetricsServer() {
  if (ctx_ != nullptr) mg_stop(ctx_);
}

int MetricsServer::HandleMetrics(mg_connection* conn, void* self) {
  if (!MethodAllowed(conn)) return Respond(conn, 405, "text/plain", "GET only\n");
  auto* server = static_cast<MetricsServer*>(self);
  std::string body;
  {
    std::lock_guard lock(server->scrape_mu_);
    for (const auto& hook : server->scrape_hooks_) hook();
    body = prometheus::TextSerializer().Serialize(server->registry_->Collect());
  }
  return Respond(conn, 200, kMetricsContentType, body);
}

int MetricsServer::HandleHealthz(mg_connection* conn, void* self) {
  if (!MethodAllowed(conn)) return Respond(conn, 405, "text/plain", "GET only\n");
  HealthChecks::Report report = static_cast<MetricsServer*>(self)->health_->Live();
  return Respond(conn, report.ok ? 200 : 503, "text/plain; charset=utf-8", report.body);
}

int MetricsServer::HandleReadyz(mg_connection* conn, void* self) {
  if (!MethodAllowed(conn)) return Respond(conn, 405, "text/plain", "GET only\n");
  HealthChecks::Report report = static_cast<MetricsServer*>(self)->health_->Ready();
  return Respond(conn, report.ok ? 200 : 503, "text/plain; charset=utf-8", report.body);
}

}  // namespace rackboot::metrics
