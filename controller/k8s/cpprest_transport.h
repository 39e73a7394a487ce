#pragma once
// HttpTransport over cpprestsdk (Debian 12 libcpprest). cpprestsdk's client
// timeout is per send/receive operation and defaults to 30 s, which kills a
// quiet watch; we raise it above the longest watch timeoutSeconds.

#include <chrono>
#include <memory>

#include "controller/k8s/client_config.h"
#include "controller/k8s/http_transport.h"

namespace rackboot::k8s {

class CpprestTransport : public HttpTransport {
 public:
  // Throws ConfigError for unusable TLS material (start-up).
  explicit CpprestTransport(const ClientConfig& config, std::chrono::seconds timeout = std::chrono::seconds(15 * 60));
  ~CpprestTransport() override;

  Result<HttpResponse> Send(const HttpRequest& request) override;
  Result<HttpResponse> Stream(const HttpRequest& request, const ChunkCallback& on_chunk, std::stop_token stop) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rackboot::k8s
