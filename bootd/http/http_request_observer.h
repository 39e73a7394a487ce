#pragma once
// HttpRequestObserver: an optional hook the HTTP server calls once per
// answered request (metrics; see bootd/metrics/). Called by the thread
// serving the connection (an event-loop thread for plain HTTP, the
// connection's own thread otherwise) once the whole response went out; a
// response the client cut short is not reported.

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
