#pragma once
// HttpRequestObserver: an optional hook the HTTP server calls once per
// answered request (metrics; see bootd/metrics/). Called on the
// connection's thread after the body went out (or failed to).

#include <cstdint>
#include <string_view>

namespace rackboot::bootd::http {

class HttpRequestObserver {
 public:
  virtual ~HttpRequestObserver() = default;
  // `path`: the request target without the query; `bytes`: body bytes sent.
  virtual void OnResponse(std::string_view path, int status, uint64_t bytes, double seconds) = 0;
};

}  // namespace rackboot::bootd::http
