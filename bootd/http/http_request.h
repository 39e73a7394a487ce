#pragma once
// HTTP/1.x request heads (RFC 9112): pure parsing, no sockets. The server
// reads bytes until FindHeadEnd() finds the blank line, then parses.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rackboot::bootd::http {

inline constexpr size_t kMaxRequestHeadBytes = 16 * 1024;
inline constexpr size_t kMaxHeaderCount = 100;

struct HttpRequest {
  std::string method;                          // GET, HEAD, POST...
  std::string target;                          // as sent: /ipxe/52-54-00-12-34-56?x=y
  std::string path;                            // target before '?', still percent-encoded
  std::map<std::string, std::string> query;    // decoded; a key seen twice keeps the first
  int version_minor = 1;                       // HTTP/1.<minor>
  std::map<std::string, std::string> headers;  // names lowercased; repeated headers joined with ", "
  size_t content_length = 0;

  const std::string* Header(const std::string& lower_name) const;
  // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
  bool KeepAlive() const;
};

// Offset just past the "\r\n\r\n" ending the head, or nullopt when more bytes
// are needed. Bare "\n\n" is accepted as well (RFC 9112 §2.2).
std::optional<size_t> FindHeadEnd(std::string_view bytes);

// Parses a complete head (request line + header fields, up to the blank
// line). Rejects anything malformed or oversized; never throws.
Result<HttpRequest> ParseRequestHead(std::string_view head);

// Percent-decodes one component; %00 and bad escapes are errors.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace rackboot::bootd::http
