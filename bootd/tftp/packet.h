#pragma once
// TFTP packets (RFC 1350 §5, RFC 2347 OACK): decode from bytes, encode to
// bytes. Pure: no sockets, no files. Every decoder rejects malformed input
// with an Error that names the reason; it never reads past the buffer.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace rackboot::bootd::tftp {

enum class Opcode : uint16_t { kRrq = 1, kWrq = 2, kData = 3, kAck = 4, kError = 5, kOack = 6 };

// RFC 1350 §5 (codes 0-7) and RFC 2347 (8).
enum class ErrorCode : uint16_t {
  kNotDefined = 0,
  kFileNotFound = 1,
  kAccessViolation = 2,
  kDiskFull = 3,
  kIllegalOperation = 4,
  kUnknownTid = 5,
  kFileExists = 6,
  kNoSuchUser = 7,
  kOptionRefused = 8,
};

// Limits on what a request may carry. A request is one UDP datagram, so the
// absolute bound is 65507 bytes; these keep hostile requests cheap.
inline constexpr size_t kMaxRequestOptions = 32;      // RFC 2347 defines 4 we use; 100 is hostile
inline constexpr size_t kMaxOptionNameLength = 64;    // longest real one is "windowsize"
inline constexpr size_t kMaxOptionValueLength = 255;  // decimal numbers; unknown options may carry more

struct RequestOption {
  std::string name;  // lower-cased (RFC 2347: option names are case-insensitive)
  std::string value;
};

// RRQ or WRQ (RFC 1350 §5; options RFC 2347 §2).
struct Request {
  Opcode opcode = Opcode::kRrq;
  std::string filename;  // raw bytes as sent; never NUL-containing (NUL terminates)
  std::string mode;      // lower-cased: "octet", "netascii" ("mail" is refused)
  std::vector<RequestOption> options;
};

struct DataPacket {
  uint16_t block = 0;
  std::vector<uint8_t> data;
};

struct AckPacket {
  uint16_t block = 0;
};

struct ErrorPacket {
  uint16_t code = 0;
  std::string message;  // may be empty: a 2- or 4-byte ERROR is tolerated
};

struct OackPacket {
  std::vector<std::pair<std::string, std::string>> options;
};

using Packet = std::variant<Request, DataPacket, AckPacket, ErrorPacket, OackPacket>;

// Decodes any TFTP packet. Requests get the full RFC 2347 treatment: each
// string must be NUL-terminated inside the datagram, options come in
// name/value pairs, at most kMaxRequestOptions of them.
Result<Packet> DecodePacket(std::span<const uint8_t> bytes);

// Encoders write complete datagrams.
std::vector<uint8_t> EncodeRequest(const Request& request);
std::vector<uint8_t> EncodeAck(uint16_t block);
std::vector<uint8_t> EncodeError(ErrorCode code, std::string_view message);
std::vector<uint8_t> EncodeOack(const std::vector<std::pair<std::string, std::string>>& options);
// DATA header (4 bytes) followed by `data`.
std::vector<uint8_t> EncodeData(uint16_t block, std::span<const uint8_t> data);

}  // namespace rackboot::bootd::tftp
