#pragma once
// One class per DHCPv4 option shape (the Kea model: OptionInt<T>,
// OptionString, ...). Option data is held raw in Packet4 as bytes; these
// classes parse it strictly (Parse returns nullopt on any length mismatch)
// and serialize it back. Multi-byte integers are network byte order.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

template <typename T>
struct OptionInt {
  T value{};
  static std::optional<OptionInt> Parse(std::string_view data) {
    if (data.size() != sizeof(T)) return std::nullopt;
    T v = 0;
    for (unsigned char c : data) v = static_cast<T>((v << 8) | c);
    return OptionInt{v};
  }
  std::string Serialize() const {
    std::string out(sizeof(T), '\0');
    for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((value >> (8 * (sizeof(T) - 1 - i))) & 0xff);
    return out;
  }
};
using OptionU8 = OptionInt<uint8_t>;
using OptionU16 = OptionInt<uint16_t>;
using OptionU32 = OptionInt<uint32_t>;

// 50, 54, 1, 28: exactly one address.
struct OptionAddress {
  Ipv4Address value;
  static std::optional<OptionAddress> Parse(std::string_view data);
  std::string Serialize() const;
};

// 3, 6: one or more addresses.
struct OptionAddressList {
  std::vector<Ipv4Address> values;
  static std::optional<OptionAddressList> Parse(std::string_view data);
  std::string Serialize() const;
};

// 12, 15, 60, 66, 67, 56: text of at least one byte. Trailing NULs (some
// firmware NUL-terminates) are not part of the value.
struct OptionString {
  std::string value;
  static std::optional<OptionString> Parse(std::string_view data);
  std::string Serialize() const { return value; }
};

// 55: requested option codes in the client's order of preference.
struct OptionParameterList {
  std::vector<uint8_t> codes;
  static std::optional<OptionParameterList> Parse(std::string_view data);
  std::string Serialize() const { return std::string(codes.begin(), codes.end()); }
};

// 93 (RFC 4578 §2.1): list of 16-bit processor architecture types.
struct OptionClientArch {
  std::vector<uint16_t> types;
  static std::optional<OptionClientArch> Parse(std::string_view data);
  std::string Serialize() const;
};

// 94 (RFC 4578 §2.2): network interface identifier, type 1 = UNDI.
struct OptionClientNdi {
  uint8_t type = 1, major = 0, minor = 0;
  static std::optional<OptionClientNdi> Parse(std::string_view data);
  std::string Serialize() const {
    return {static_cast<char>(type), static_cast<char>(major), static_cast<char>(minor)};
  }
};

// 97 (RFC 4578 §2.3): type 0 + 16-byte machine identifier. PXE firmware
// sends the SMBIOS UUID, whose first three fields are little-endian.
struct OptionClientUuid {
  uint8_t type = 0;
  std::array<uint8_t, 16> bytes{};
  static std::optional<OptionClientUuid> Parse(std::string_view data);
  std::string Serialize() const;
  // All zeros (QEMU without -uuid, many boards): not an identity.
  bool IsZero() const;
  // Lowercase canonical text with the SMBIOS byte order undone, i.e. the
  // UUID dmidecode and `-uuid` show: wire 44332211-6655-8877-... ->
  // 11223344-5566-7788-...
  std::string ToCanonical() const;
};

// 61 (RFC 2132 §9.14): type byte + identifier (at least 1 byte).
struct OptionClientId {
  uint8_t type = 0;
  std::string id;
  static std::optional<OptionClientId> Parse(std::string_view data);
  std::string Serialize() const { return static_cast<char>(type) + id; }
};

// 77: RFC 3004 is a list of length-prefixed classes, but iPXE sends the raw
// 4 bytes "iPXE". Parse accepts both: when the bytes are not a valid
// RFC 3004 list they are one raw class.
struct OptionUserClass {
  std::vector<std::string> classes;
  static std::optional<OptionUserClass> Parse(std::string_view data);
  std::string Serialize() const;  // RFC 3004 form
  bool Contains(std::string_view cls) const;
};

// 43, 82, 175: encapsulated sub-options (code, length, data). Pad (0) is
// skipped; End (255) stops. Strict: a sub-option past the end fails.
struct OptionSubOptions {
  std::vector<std::pair<uint8_t, std::string>> items;
  static std::optional<OptionSubOptions> Parse(std::string_view data);
  std::string Serialize() const;  // without a trailing End
  const std::string* Find(uint8_t code) const;
};

// Decoder's per-code length rules for the options bootd interprets
// (RFC 2132 and RFC 4578 minimum and fixed lengths). Unknown codes: any.
bool OptionLengthValid(uint8_t code, size_t length);

}  // namespace rackboot::bootd::dhcp
