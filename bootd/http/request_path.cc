#include "bootd/http/request_path.h"

#include "bootd/http/http_request.h"

namespace rackboot::bootd::http {
namespace {

bool OnlyDots(std::string_view s) {
  return !s.empty() && s.find_first_not_of('.') == std::string_view::npos;
}

}  // namespace

Result<std::vector<std::string>> NormalizeRequestPath(std::string_view encoded_path) {
  if (encoded_path.size() > kMaxPathBytes) return Error{"path too long"};
  if (encoded_path.empty() || encoded_path.front() != '/') return Error{"path must start with '/'"};
  std::vector<std::string> segments;
  size_t pos = 1;
  while (pos <= encoded_path.size()) {
    size_t slash = encoded_path.find('/', pos);
    if (slash == std::string_view::npos) slash = encoded_path.size();
    std::string_view raw = encoded_path.substr(pos, slash - pos);
    pos = slash + 1;
    if (raw.empty()) continue;  // "//" collapses
    if (raw.find('\\') != std::string_view::npos) return Error{"backslash in path"};
    if (OnlyDots(raw)) return Error{"dot segment in path"};
    auto decoded = PercentDecode(raw, false);
    if (!decoded.ok()) return Error{"path: " + decoded.error().message};
    const std::string& seg = *decoded;
    if (seg.find('/') != std::string::npos) return Error{"encoded '/' in path"};
    if (seg.find('\\') != std::string::npos) return Error{"encoded backslash in path"};
    for (unsigned char c : seg) {
      if (c < 0x20 || c == 0x7f) return Error{"control byte in path"};
    }
    if (OnlyDots(seg)) return Error{"encoded dot segment in path"};
    segments.push_back(seg);
    if (segments.size() > kMaxPathSegments) return Error{"too many path segments"};
  }
  return segments;
}

std::string JoinSegments(const std::vector<std::string>& segments, size_t from) {
  std::string out;
  for (size_t i = from; i < segments.size(); ++i) {
    if (!out.empty()) out.push_back('/');
    out += segments[i];
  }
  return out;
}

}  // namespace rackboot::bootd::http
