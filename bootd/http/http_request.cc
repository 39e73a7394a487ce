#include "bootd/http/http_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace rackboot::bootd::http {
namespace {

bool IsTokenChar(unsigned char c) {
  // RFC 9110 §5.6.2 tchar.
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const std::string* HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

bool HttpRequest::KeepAlive() const {
  const std::string* conn = Header("connection");
  const std::string value = conn ? Lower(*conn) : "";
  if (version_minor >= 1) return value.find("close") == std::string::npos;
  return value.find("keep-alive") != std::string::npos;
}

std::optional<size_t> FindHeadEnd(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n') continue;
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return Error{"truncated percent escape"};
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return Error{"bad percent escape"};
      c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return Error{"percent-encoded NUL"};
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    out.push_back(c);
  }
  return out;
}

Result<HttpRequest> ParseRequestHead(std::string_view head) {
  if (head.size() > kMaxRequestHeadBytes) return Error{"request head too large"};
  HttpRequest req;
  // Split into lines; each ends in LF, optionally preceded by CR.
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < head.size()) {
    size_t nl = head.find('\n', start);
    if (nl == std::string_view::npos) return Error{"head does not end in a line break"};
    std::string_view line = head.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = nl + 1;
    if (line.empty()) {
      if (lines.empty()) continue;  // RFC 9112 §2.2: ignore a leading empty line
      break;
    }
    lines.push_back(line);
  }
  if (lines.empty()) return Error{"empty request"};

  // Request line: method SP target SP HTTP/1.x (RFC 9112 §3).
  std::string_view rl = lines[0];
  size_t sp1 = rl.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return Error{"malformed request line"};
  size_t sp2 = rl.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return Error{"malformed request line"};
  std::string_view method = rl.substr(0, sp1);
  std::string_view target = rl.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = rl.substr(sp2 + 1);
  if (method.size() > 16 || !std::all_of(method.begin(), method.end(), [](char c) { return IsTokenChar(c); })) {
    return Error{"bad method"};
  }
  if (version == "HTTP/1.1") {
    req.version_minor = 1;
  } else if (version == "HTTP/1.0") {
    req.version_minor = 0;
  } else {
    return Error{"unsupported HTTP version"};
  }
  if (target.empty() || target.front() != '/') return Error{"request target must be origin-form"};
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) return Error{"bad byte in request target"};
  }
  if (target.find('#') != std::string_view::npos) return Error{"fragment in request target"};
  req.method = std::string(method);
  req.target = std::string(target);
  size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view pair = qs.substr(0, amp);
      qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq), true);
      auto val = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!key.ok() || !val.ok()) return Error{"bad query string"};
      req.query.emplace(std::move(*key), std::move(*val));
    }
  }

  // Header fields (RFC 9112 §5): name ":" OWS value OWS. Obsolete line
  // folding and whitespace before the colon are rejected (§5.1, §5.2).
  if (lines.size() - 1 > kMaxHeaderCount) return Error{"too many header fields"};
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') return Error{"obsolete line folding"};
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Error{"header field without name"};
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), [](char c) { return IsTokenChar(c); })) {
      return Error{"bad header field name"};
    }
    std::string_view value = Trim(line.substr(colon + 1));
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) return Error{"control byte in header value"};
    }
    std::string key = Lower(name);
    auto [it, inserted] = req.headers.emplace(key, std::string(value));
    if (!inserted) {
      // RFC 9112 §6.3: differing Content-Length values are fatal; Host must be single.
      if (key == "content-length" || key == "host") return Error{"repeated " + key};
      it->second += ", ";
      it->second += value;
    }
  }
  if (req.Header("transfer-encoding") != nullptr) return Error{"transfer-encoding in requests is not supported"};
  if (const std::string* cl = req.Header("content-length")) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (ec != std::errc() || p != cl->data() + cl->size() || cl->empty()) return Error{"bad content-length"};
    if (n > 64 * 1024) return Error{"request body too large"};
    req.content_length = static_cast<size_t>(n);
  }
  if (req.version_minor == 1 && req.Header("host") == nullptr) return Error{"missing host header"};
  return req;
}

}  // namespace rackboot::bootd::http
