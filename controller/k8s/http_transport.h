#pragma once
// The HTTP transport under the Kubernetes client, behind an interface of our
// own: cpprestsdk is the first implementation (cpprest_transport.h) and is
// archived upstream, so replacing it (libcurl, Boost.Beast) must touch one
// file. Errors are values (common/result.h): a transport failure (connect,
// TLS, reset) is an Error; any HTTP status, including 4xx/5xx, is a response.

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace rackboot::k8s {

struct HttpRequest {
  std::string method = "GET";
  std::string path_and_query;  // "/apis/rackboot.io/v1alpha1/machines?watch=1"
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Receives body bytes of a streaming response as they arrive; return false to
// stop reading (the connection is closed).
using ChunkCallback = std::function<bool(std::string_view chunk)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends a request and reads the whole body.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;

  // Sends a request whose 2xx body is delivered to on_chunk as it arrives
  // (watches). Returns when the server ends the body, on_chunk returns false,
  // or stop is requested. For a non-2xx status the body is not streamed but
  // returned in the response.
  virtual Result<HttpResponse> Stream(const HttpRequest& request, const ChunkCallback& on_chunk,
                                      std::stop_token stop) = 0;
};

}  // namespace rackboot::k8s
