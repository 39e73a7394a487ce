#pragma once
// UpstreamFetcher: streams one upstream artifact (http:// or https://) into
// a sink, chunk by chunk, so the artifact cache can hash and write it
// without holding it in memory. An interface so the cache is testable with
// a real local server and the transport can change without touching it.
//
// The implementation is libcurl (Debian libcurl4-openssl-dev), not
// cpprestsdk's http_client: a blocking transfer with a per-chunk write
// callback, connect and stall timeouts, a redirect limit and a protocol
// allow-list are each one option there, and it brings no thread pool of its
// own into bootd's per-connection threads.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace rackboot::bootd::http {

struct UpstreamFetchOptions {
  int connect_timeout_seconds = 10;
  int stall_timeout_seconds = 60;  // abort when no byte arrives for this long
  int max_redirects = 5;
};

class UpstreamFetcher {
 public:
  // Returning an error from the sink aborts the transfer with that error.
  using Sink = std::function<Status(const char* data, size_t size)>;
  virtual ~UpstreamFetcher() = default;
  // Status OK only after the whole body arrived with a 2xx status.
  virtual Status Fetch(const std::string& url, const Sink& sink) = 0;
};

std::unique_ptr<UpstreamFetcher> MakeCurlUpstreamFetcher(UpstreamFetchOptions options = {});

}  // namespace rackboot::bootd::http
