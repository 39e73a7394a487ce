// MakeHttpService: wires bootd's configuration and shared state into an
// HttpServer. Failures (artifact root missing, bad certificate, port in use)
// surface from Start() so main reports them and exits non-zero.

#include "bootd/http/http_server.h"

namespace rackboot::bootd::http {
namespace {

class BootHttpService : public Service {
 public:
  explicit BootHttpService(BootdContext& ctx) : ctx_(ctx) {}
  std::string name() const override { return "http"; }

  Status Start() override {
    const HttpConfig& c = ctx_.config.http;
    std::shared_ptr<ArtifactRoot> root;
    if (!c.artifact_root.empty()) {
      auto r = ArtifactRoot::Open(c.artifact_root);
      if (!r.ok()) return r.error();
      root = *r;
    }
    BootHttpOptions opts;
    opts.public_url = c.public_url;
    while (!opts.public_url.empty() && opts.public_url.back() == '/') opts.public_url.pop_back();
    if (opts.public_url.empty()) return Error{"http.publicUrl is required: boot scripts need absolute URLs"};
    opts.rack = ctx_.config.rack;
    opts.environment = c.environment;
    opts.public_configs = c.public_configs;
    opts.mac_for_ip = ctx_.lease_holder;
    if (!c.artifact_cache_dir.empty()) {
      auto cache = ArtifactCache::Open(c.artifact_cache_dir, MakeCurlUpstreamFetcher());
      if (!cache.ok()) return cache.error();
      opts.upstream_cache = *cache;
      ctx_.artifact_cache = *cache;
    }
    auto handler = std::make_shared<BootHttpHandler>(ctx_.assignments, ctx_.events, root,
                                                     ConfigTokenSigner::WithRandomKey(c.token_ttl_seconds), opts);
    HttpServerOptions so;
    so.listen = c.listen;
    so.observer = ctx_.hooks.http;
    so.tls_listen = c.tls_listen;
    so.tls_cert_file = c.tls_cert_file;
    so.tls_key_file = c.tls_key_file;
    so.max_connections = static_cast<size_t>(c.max_connections);
    so.max_tls_connections = static_cast<size_t>(c.max_tls_connections);
    so.max_per_client = static_cast<size_t>(c.max_connections_per_client);
    server_ = std::make_unique<HttpServer>(handler, so);
    return server_->Start();
  }

  void BeginDrain() override {
    if (server_) server_->BeginDrain();
  }
  DrainReport WaitDrained(std::chrono::steady_clock::time_point deadline) override {
    return server_ ? server_->WaitDrained(deadline) : DrainReport{};
  }
  void Stop() override {
    if (server_) server_->Stop();
  }

 private:
  BootdContext& ctx_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace

std::unique_ptr<Service> MakeHttpService(BootdContext& ctx) {
  return std::make_unique<BootHttpService>(ctx);
}

}  // namespace rackboot::bootd::http
