#include "common/net_address.h"

#include <charconv>
#include <cstdio>

namespace rackboot {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<MacAddress> MacAddress::Parse(std::string_view text) {
  // Exactly "xx:xx:xx:xx:xx:xx" (or with '-'), one separator kind.
  if (text.size() != 17) return std::nullopt;
  const char sep = text[2];
  if (sep != ':' && sep != '-') return std::nullopt;
  std::array<uint8_t, 6> b{};
  for (int i = 0; i < 6; ++i) {
    const size_t at = static_cast<size_t>(i) * 3;
    int hi = HexDigit(text[at]);
    int lo = HexDigit(text[at + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i < 5 && text[at + 2] != sep) return std::nullopt;
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return MacAddress(b);
}

std::string MacAddress::ToString(char sep) const {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x%c%02x%c%02x%c%02x%c%02x%c%02x", bytes_[0], sep, bytes_[1], sep, bytes_[2], sep,
                bytes_[3], sep, bytes_[4], sep, bytes_[5]);
  return buf;
}

std::optional<Ipv4Address> Ipv4Address::Parse(std::string_view text) {
  uint32_t v = 0;
  int parts = 0;
  size_t pos = 0;
  while (parts < 4) {
    size_t end = text.find('.', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    // No empty parts, no leading zeros (avoids octal ambiguity), 0..255.
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    unsigned n = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec != std::errc() || p != part.data() + part.size() || n > 255) return std::nullopt;
    v = (v << 8) | n;
    ++parts;
    if (end == text.size()) break;
    pos = end + 1;
  }
  if (parts != 4 || pos > text.size()) return std::nullopt;
  // Reject trailing ".x" beyond four parts.
  size_t dots = 0;
  for (char c : text) dots += (c == '.');
  if (dots != 3) return std::nullopt;
  return Ipv4Address(v);
}

std::string Ipv4Address::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", (v_ >> 24) & 255, (v_ >> 16) & 255, (v_ >> 8) & 255, v_ & 255);
  return buf;
}

std::optional<Ipv4Prefix> Ipv4Prefix::Parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = Ipv4Address::Parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  int len = -1;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || p != len_text.data() + len_text.size() || len < 0 || len > 32) return std::nullopt;
  return Ipv4Prefix{*addr, len};
}

std::string Ipv4Prefix::ToString() const {
  return network.ToString() + "/" + std::to_string(length);
}

}  // namespace rackboot
