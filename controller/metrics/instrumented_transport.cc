#include "controller/metrics/instrumented_transport.h"

#include <chrono>
#include <string>
#include <vector>

namespace rackboot::controller {

namespace {

// Path segments after the API prefix (/api/v1 or /apis/<group>/<version>)
// and the namespace (namespaces/<ns>), without the query.
std::vector<std::string_view> ResourceSegments(std::string_view path) {
  path = path.substr(0, path.find('?'));
  std::vector<std::string_view> segs;
  while (!path.empty()) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) break;
    const size_t end = path.find('/');
    segs.push_back(path.substr(0, end));
    path.remove_prefix(end == std::string_view::npos ? path.size() : end);
  }
  size_t skip = 0;
  if (!segs.empty() && segs[0] == "api") skip = 2;
  if (!segs.empty() && segs[0] == "apis") skip = 3;
  if (segs.size() > skip + 2 && segs[skip] == "namespaces") skip += 2;
  if (skip > segs.size()) skip = segs.size();
  return {segs.begin() + static_cast<std::ptrdiff_t>(skip), segs.end()};
}

bool IsWatch(std::string_view path_and_query) {
  const size_t q = path_and_query.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = path_and_query.substr(q + 1);
  for (std::string_view key : {"watch=1", "watch=true"}) {
    size_t at = query.find(key);
    while (at != std::string_view::npos) {
      const bool starts = at == 0 || query[at - 1] == '&';
      const size_t after = at + key.size();
      if (starts && (after == query.size() || query[after] == '&')) return true;
      at = query.find(key, at + 1);
    }
  }
  return false;
}

}  // namespace

std::string_view KubeApiVerb(std::string_view method, std::string_view path_and_query) {
  if (method == "GET") {
    if (IsWatch(path_and_query)) return "watch";
    // A collection is one segment (machines), an object two or more
    // (machines/m1, machines/m1/status).
    return ResourceSegments(path_and_query).size() <= 1 ? "list" : "get";
  }
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return "delete";
  return "other";
}

void InstrumentedTransport::Count(std::string_view verb, const Result<k8s::HttpResponse>& result) {
  const std::string code = result.ok() ? std::to_string(result->status) : "error";
  m_.kube_api_requests.Add({{"verb", std::string(verb)}, {"code", code}}).Increment();
}

Result<k8s::HttpResponse> InstrumentedTransport::Send(const k8s::HttpRequest& request) {
  const std::string_view verb = KubeApiVerb(request.method, request.path_and_query);
  const auto start = std::chrono::steady_clock::now();
  Result<k8s::HttpResponse> result = inner_->Send(request);
  m_.KubeApiRequestDuration(verb).Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  Count(verb, result);
  return result;
}

Result<k8s::HttpResponse> InstrumentedTransport::Stream(const k8s::HttpRequest& request,
                                                        const k8s::ChunkCallback& on_chunk, std::stop_token stop) {
  const std::string_view verb = KubeApiVerb(request.method, request.path_and_query);
  // A watch lives for minutes: count it when its 2xx body starts (only 2xx
  // bodies are streamed), not when it ends, so a scrape sees open watches.
  bool counted = false;
  auto counting = [&](std::string_view chunk) {
    if (!counted) {
      counted = true;
      m_.kube_api_requests.Add({{"verb", std::string(verb)}, {"code", "200"}}).Increment();
    }
    return on_chunk(chunk);
  };
  Result<k8s::HttpResponse> result = inner_->Stream(request, counting, stop);
  if (!counted) Count(verb, result);
  return result;
}

}  // namespace rackboot::controller
