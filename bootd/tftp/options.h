#pragma once
// Option negotiation for a read request: RFC 2347 (framework), RFC 2348
// (blksize), RFC 2349 (timeout, tsize), RFC 7440 (windowsize). Pure.
//
// Policy, per option:
//   blksize    8..65464 (RFC 2348 §2). Below 8 or not a number: ignored.
//              Above our limit (MTU-derived, or 65464): clamped down; the
//              OACK tells the client the value we will use.
//   windowsize 1..65535 (RFC 7440 §3), clamped to our limit (64).
//   timeout    1..255 seconds (RFC 2349 §3.1); outside: ignored.
//   tsize      a decimal that fits in 64 bits; we answer with the file's
//              size (RFC 2349 §3.2). Anything else: ignored.
// Unknown options are ignored (RFC 2347 §2). For a repeated option the first
// occurrence counts; later ones are ignored, so the OACK never repeats one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bootd/tftp/packet.h"

namespace rackboot::bootd::tftp {

inline constexpr uint16_t kDefaultBlockSize = 512;  // RFC 1350
inline constexpr uint16_t kMinBlockSize = 8;        // RFC 2348 §2
inline constexpr uint16_t kMaxBlockSize = 65464;    // RFC 2348 §2
inline constexpr uint16_t kMaxWindowSize = 64;      // our cap; RFC 7440 allows 65535

struct OptionLimits {
  uint16_t max_blksize = kMaxBlockSize;  // min(config, path MTU - 32)
  uint16_t max_windowsize = kMaxWindowSize;
};

struct NegotiatedOptions {
  uint16_t blksize = kDefaultBlockSize;
  uint16_t windowsize = 1;
  int timeout_seconds = 0;  // 0: client did not ask; the server default applies
  // Accepted options in request order, as they go into the OACK. Empty: no
  // OACK, plain RFC 1350 transfer starting with DATA 1.
  std::vector<std::pair<std::string, std::string>> oack;
};

// Decimal parse that refuses signs, spaces, empty strings and values that do
// not fit in 64 bits (tsize=2^64 is an error, not a wrap to 0).
std::optional<uint64_t> ParseDecimal(std::string_view text);

// Path MTU of an IPv4 path -> the largest blksize whose DATA fits one frame:
// MTU - 20 (IPv4) - 8 (UDP) - 4 (TFTP header). 1500 -> 1468.
uint16_t BlockSizeForMtu(int mtu);

NegotiatedOptions NegotiateOptions(const std::vector<RequestOption>& requested, const OptionLimits& limits,
                                   uint64_t file_size);

}  // namespace rackboot::bootd::tftp
