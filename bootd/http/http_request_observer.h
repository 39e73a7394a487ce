#pragma once
// HttpRequestObserver: an optional hook the HTTP server calls once per
// answered request (metrics; see bootd/metrics/). Called by the thread
// serving the connection (an event-loop thread for plain HTTP, the
// connection's own thread otherwise) once the whole response went out; a
// response the client cut short is not reported.

#include <cstdint>
#include <string_view>

namespace rackboot::bootd::http {

// Overload (connection_admission.h): a listener stopped accepting at its
// limit (connections wait in the backlog), or a client past its own limit
// was answered 503.
enum class HttpAdmissionEvent { kAcceptPaused, kClientOverLimit };

class HttpRequestObserver {
 public:
  virtual ~HttpRequestObserver() = default;
  virtual void OnAdmission(HttpAdmissionEvent /*event*/) {}
  // `path`: the request target without the query; `bytes`: body bytes sent.
  virtual void OnResponse(std::string_view path, int status, uint64_t bytes, double seconds) = 0;
};

}  // namespace rackboot::bootd::http
