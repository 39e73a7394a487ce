#include "bootd/http/byte_range.h"

#include <charconv>
#include <optional>

namespace rackboot::bootd::http {
namespace {

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

RangeDecision DecideRange(std::string_view value, uint64_t size) {
  RangeDecision d;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.rfind("bytes=", 0) != 0) return d;  // RFC 9110 §14.2: unknown units are ignored
  std::string_view spec = value.substr(6);
  d.kind = RangeKind::kUnsatisfiable;
  if (spec.find(',') != std::string_view::npos) return d;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return d;
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {
    // Suffix range: the last n bytes (§14.1.2).
    auto n = ParseU64(b);
    if (!n || *n == 0 || size == 0) return d;
    d.range.first = *n >= size ? 0 : size - *n;
    d.range.last = size - 1;
  } else {
    auto first = ParseU64(a);
    if (!first || *first >= size) return d;
    d.range.first = *first;
    if (b.empty()) {
      d.range.last = size - 1;
    } else {
      auto last = ParseU64(b);
      if (!last || *last < *first) return d;
      d.range.last = *last >= size ? size - 1 : *last;
    }
  }
  d.kind = RangeKind::kSatisfiable;
  return d;
}

}  // namespace rackboot::bootd::http
