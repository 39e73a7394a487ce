#pragma once
// InstrumentedTransport: an HttpTransport decorator that counts every
// Kubernetes API request by verb and status code and times it
// (rackboot_controller_kube_api_requests_total, ..._duration_seconds).
// The verb is derived from the method and path the way the apiserver's own
// metrics do (GET on a collection = list, ?watch = watch); a transport
// failure is code "error". Watches are counted but not timed: their
// duration is the stream's life, not latency.

#include <memory>
#include <string_view>

#include "common/metrics/controller_metrics.h"
#include "controller/k8s/http_transport.h"

namespace rackboot::controller {

// get|list|watch|create|update|patch|delete|other
std::string_view KubeApiVerb(std::string_view method, std::string_view path_and_query);

class InstrumentedTransport : public k8s::HttpTransport {
 public:
  InstrumentedTransport(std::shared_ptr<k8s::HttpTransport> inner, metrics::ControllerMetrics& metrics)
      : inner_(std::move(inner)), m_(metrics) {}

  Result<k8s::HttpResponse> Send(const k8s::HttpRequest& request) override;
  Result<k8s::HttpResponse> Stream(const k8s::HttpRequest& request, const k8s::ChunkCallback& on_chunk,
                                   std::stop_token stop) override;

 private:
  void Count(std::string_view verb, const Result<k8s::HttpResponse>& result);

  std::shared_ptr<k8s::HttpTransport> inner_;
  metrics::ControllerMetrics& m_;
};

}  // namespace rackboot::controller
