#pragma once
// Packet4: one DHCPv4 / BOOTP message (RFC 2131 §2, Figure 1) with its
// options, plus the strict decoder and the size-aware encoder. Pure code: no
// sockets. Options are kept raw (code -> bytes, in wire order, instances of
// one code concatenated per RFC 3396); options.h parses their shapes.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bootd/dhcp/drop_reason.h"
#include "bootd/dhcp/option_codes.h"
#include "common/net_address.h"
#include "common/result.h"

namespace rackboot::bootd::dhcp {

inline constexpr size_t kFixedHeaderSize = 236;  // op .. file
inline constexpr size_t kMagicCookieSize = 4;
inline constexpr size_t kSnameSize = 64;
inline constexpr size_t kFileSize = 128;
inline constexpr uint16_t kMinMaxMessageSize = 576;  // RFC 2132 §9.10
inline constexpr size_t kIpUdpHeaderSize = 28;       // counted in option 57
inline constexpr size_t kMinBootpSize = 300;         // RFC 1542 §3.3: some relays/clients drop shorter
inline constexpr uint16_t kFlagBroadcast = 0x8000;

struct Packet4 {
  uint8_t op = kBootRequest;
  uint8_t htype = 1;  // Ethernet
  uint8_t hlen = 6;
  uint8_t hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;
  Ipv4Address ciaddr, yiaddr, siaddr, giaddr;
  std::array<uint8_t, 16> chaddr{};
  std::string sname;  // without NUL padding
  std::string file;
  std::vector<std::pair<uint8_t, std::string>> options;

  const std::string* Find(uint8_t code) const;
  bool Has(uint8_t code) const { return Find(code) != nullptr; }
  // Replaces the option's data, or appends the option at the end.
  void Set(uint8_t code, std::string data);
  void Remove(uint8_t code);

  std::optional<MessageType> message_type() const;
  bool broadcast() const { return (flags & kFlagBroadcast) != 0; }
  // chaddr as a MAC (first 6 bytes); meaningful when htype=1, hlen=6.
  MacAddress mac() const;
  void set_mac(const MacAddress& mac);
};

// Decodes a BOOTREQUEST or BOOTREPLY. Strict: hlen <= 16, every option
// (in the options field and, with option 52, in file/sname) inside its
// field, and the options bootd interprets have valid lengths
// (OptionLengthValid). On failure `*reason` (when given) says why.
Result<Packet4> DecodePacket4(std::span<const uint8_t> bytes, DropReason* reason = nullptr);

// Encodes a packet. Option order: 53, 54, then the codes of `requested`
// (option 55, RFC 2132 §9.8 "in order of preference"), then the rest in
// insertion order. `max_message_size` is the client's option 57 (clamped to
// >= 576; it counts IP and UDP headers). When options do not fit, file and
// then sname carry the overflow (option 52, RFC 2131 §4.1) if those fields
// are empty; if it still does not fit, kReplyTooBig.
Result<std::vector<uint8_t>> EncodePacket4(const Packet4& packet, uint16_t max_message_size = kMinMaxMessageSize,
                                           const std::vector<uint8_t>& requested = {});

}  // namespace rackboot::bootd::dhcp
