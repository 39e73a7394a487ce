#pragma once
// Value types for link and network addresses, parsed strictly.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rackboot {

// 48-bit Ethernet MAC. Text form is lowercase colon-separated; parsing also
// accepts '-' separators (pxelinux "01-aa-bb-..." style uses them).
class MacAddress {
 public:
  MacAddress() = default;
  explicit MacAddress(const std::array<uint8_t, 6>& bytes) : bytes_(bytes) {}
  static std::optional<MacAddress> Parse(std::string_view text);
  std::string ToString(char sep = ':') const;
  const std::array<uint8_t, 6>& bytes() const { return bytes_; }
  bool operator==(const MacAddress&) const = default;
  auto operator<=>(const MacAddress&) const = default;

 private:
  std::array<uint8_t, 6> bytes_{};
};

// IPv4 address held in host byte order.
class Ipv4Address {
 public:
  Ipv4Address() = default;
  explicit Ipv4Address(uint32_t host_order) : v_(host_order) {}
  static std::optional<Ipv4Address> Parse(std::string_view dotted);
  std::string ToString() const;
  uint32_t value() const { return v_; }
  bool IsZero() const { return v_ == 0; }
  bool operator==(const Ipv4Address&) const = default;
  auto operator<=>(const Ipv4Address&) const = default;

 private:
  uint32_t v_ = 0;
};

// "10.0.0.0/24" style prefix.
struct Ipv4Prefix {
  Ipv4Address network;
  int length = 0;
  static std::optional<Ipv4Prefix> Parse(std::string_view text);
  uint32_t Mask() const { return length == 0 ? 0 : ~uint32_t{0} << (32 - length); }
  bool Contains(Ipv4Address a) const { return (a.value() & Mask()) == (network.value() & Mask()); }
  std::string ToString() const;
};

}  // namespace rackboot
