#include "bootd/tftp/options.h"

#include <algorithm>
#include <set>

namespace rackboot::bootd::tftp {

std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

uint16_t BlockSizeForMtu(int mtu) {
  const int blk = mtu - 20 - 8 - 4;
  return static_cast<uint16_t>(std::clamp(blk, static_cast<int>(kDefaultBlockSize), static_cast<int>(kMaxBlockSize)));
}

NegotiatedOptions NegotiateOptions(const std::vector<RequestOption>& requested, const OptionLimits& limits,
                                   uint64_t file_size) {
  NegotiatedOptions out;
  std::set<std::string> seen;
  const uint16_t max_blk = std::clamp(limits.max_blksize, kMinBlockSize, kMaxBlockSize);
  const uint16_t max_win = std::max<uint16_t>(1, limits.max_windowsize);
  for (const RequestOption& o : requested) {
    if (!seen.insert(o.name).second) continue;  // duplicate: first one wins
    const std::optional<uint64_t> n = ParseDecimal(o.value);
    if (o.name == "blksize") {
      if (!n || *n < kMinBlockSize) continue;  // RFC 2348 §2: invalid, ignore
      out.blksize = static_cast<uint16_t>(std::min<uint64_t>(*n, max_blk));
      out.oack.emplace_back("blksize", std::to_string(out.blksize));
    } else if (o.name == "windowsize") {
      if (!n || *n < 1 || *n > 65535) continue;  // RFC 7440 §3
      out.windowsize = static_cast<uint16_t>(std::min<uint64_t>(*n, max_win));
      out.oack.emplace_back("windowsize", std::to_string(out.windowsize));
    } else if (o.name == "timeout") {
      if (!n || *n < 1 || *n > 255) continue;  // RFC 2349 §3.1
      out.timeout_seconds = static_cast<int>(*n);
      out.oack.emplace_back("timeout", std::to_string(out.timeout_seconds));
    } else if (o.name == "tsize") {
      if (!n) continue;  // RFC 2349 §3.2: a read request carries 0; any number is tolerated
      out.oack.emplace_back("tsize", std::to_string(file_size));
    }
    // Anything else (multicast, utimeout, rollover, vendor options): ignored.
  }
  return out;
}

}  // namespace rackboot::bootd::tftp
