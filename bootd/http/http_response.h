#pragma once
// An HTTP response as the handler decides it: status, headers, and either a
// body in memory or a slice of an opened file (sent with sendfile on plain
// connections).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bootd/http/artifact_files.h"

namespace rackboot::bootd::http {

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added when serialized
  std::string body;
  std::optional<OpenedFile> file;
  uint64_t file_offset = 0;
  uint64_t file_length = 0;
  bool head_only = false;  // HEAD: same headers, no body
  // Called after the body went out completely (bytes, milliseconds).
  std::function<void(uint64_t, uint64_t)> on_complete;

  uint64_t ContentLength() const { return file ? file_length : body.size(); }
  void SetHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

HttpResponse TextResponse(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
const char* StatusReason(int status);
// Status line and header fields, ending with the blank line.
std::string SerializeHead(const HttpResponse& r, bool keep_alive);
// RFC 9110 §5.6.7 IMF-fixdate, and its parser (nullopt for other forms).
std::string HttpDate(int64_t unix_seconds);
std::optional<int64_t> ParseHttpDate(const std::string& text);

}  // namespace rackboot::bootd::http
