// libcurl implementation of UpstreamFetcher (see upstream_fetcher.h).

#include <curl/curl.h>

#include <mutex>

#include "bootd/http/upstream_fetcher.h"

namespace rackboot::bootd::http {
namespace {

struct Transfer {
  const UpstreamFetcher::Sink* sink;
  Status sink_status;
};

size_t WriteChunk(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->sink_status = (*t->sink)(data, n);
  // Any count other than n makes libcurl stop with CURLE_WRITE_ERROR.
  return t->sink_status.ok() ? n : 0;
}

class CurlUpstreamFetcher : public UpstreamFetcher {
 public:
  explicit CurlUpstreamFetcher(UpstreamFetchOptions options) : options_(options) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Status Fetch(const std::string& url, const Sink& sink) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Error{"curl_easy_init failed"};
    Transfer t{&sink, {}};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteChunk);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (!t.sink_status.ok()) return t.sink_status;
    if (rc != CURLE_OK) {
      return Error{std::string("fetch ") + url + ": " + (error_buffer[0] ? error_buffer : curl_easy_strerror(rc))};
    }
    return Status::Ok();
  }

 private:
  UpstreamFetchOptions options_;
};

}  // namespace

std::unique_ptr<UpstreamFetcher> MakeCurlUpstreamFetcher(UpstreamFetchOptions options) {
  return std::make_unique<CurlUpstreamFetcher>(options);
}

}  // namespace rackboot::bootd::http
