#pragma once
// Range requests (RFC 9110 §14): one byte range per request. iPXE's sanboot
// and curl -r use single ranges; multipart/byteranges is not offered.

#include <cstdint>
#include <string_view>

namespace rackboot::bootd::http {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeKind {
  kNone,           // no Range (or a unit other than bytes): send the whole file
  kSatisfiable,    // 206 with `range`
  kUnsatisfiable,  // 416 with Content-Range: bytes */size
};

struct RangeDecision {
  RangeKind kind = RangeKind::kNone;
  ByteRange range;
};

// `value` is the Range header. bytes=a-b, bytes=a-, bytes=-n. A malformed
// bytes range, several ranges, or a range past the end are unsatisfiable.
RangeDecision DecideRange(std::string_view value, uint64_t size);

}  // namespace rackboot::bootd::http
