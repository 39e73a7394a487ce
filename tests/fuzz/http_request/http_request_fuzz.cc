// Fuzzes the HTTP request head parser, path normalization and Range
// decisions: never crash, and a normalized path never has a segment that
// climbs out of its root or hides a separator.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bootd/http/byte_range.h"
#include "bootd/http/http_request.h"
#include "bootd/http/request_path.h"

using namespace rackboot::bootd::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)FindHeadEnd(in);
  auto req = ParseRequestHead(in);
  std::string_view path = in;
  if (req.ok()) {
    path = req->path;
    if (const std::string* range = req->Header("range")) {
      for (uint64_t sz : {uint64_t{0}, uint64_t{1}, uint64_t{1000}, ~uint64_t{0}}) {
        RangeDecision d = DecideRange(*range, sz);
        if (d.kind == RangeKind::kSatisfiable && (d.range.first > d.range.last || d.range.last >= sz)) {
          __builtin_trap();
        }
      }
    }
    (void)req->KeepAlive();
  }
  auto segs = NormalizeRequestPath(path);
  if (segs.ok()) {
    for (const auto& s : *segs) {
      if (s.empty() || s.find_first_not_of('.') == std::string::npos || s.find('/') != std::string::npos ||
          s.find('\\') != std::string::npos || s.find('\0') != std::string::npos) {
        __builtin_trap();
      }
    }
    (void)JoinSegments(*segs);
  }
  return 0;
}
