#include "bootd/http/http_response.h"

#include <time.h>

namespace rackboot::bootd::http {

HttpResponse TextResponse(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.SetHeader("Content-Type", std::move(content_type));
  return r;
}

const char* StatusReason(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Unknown";
}

std::string SerializeHead(const HttpResponse& r, bool keep_alive) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + StatusReason(r.status) + "\r\n";
  out += "Server: rackboot-bootd\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  // RFC 9110 §8.6: a 304 carries no Content-Length of its own body.
  if (r.status != 304) out += "Content-Length: " + std::to_string(r.ContentLength()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string HttpDate(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<int64_t> ParseHttpDate(const std::string& text) {
  struct tm tm {};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace rackboot::bootd::http
