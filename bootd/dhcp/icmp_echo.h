#pragma once
// ICMP echo (RFC 792) for the pool-address probe (RFC 2131 §3.1 step 2: the
// server SHOULD probe a reused address, e.g. with an ICMP echo request).
// Pure: request bytes out, received datagram bytes in. A raw IPv4 ICMP
// socket delivers the IP header too, so the parser skips it.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

struct EchoReply {
  Ipv4Address from;  // IP source: the host that answered
  uint16_t id = 0;
  uint16_t seq = 0;
};

// An ICMP echo request (type 8) with checksum; the kernel adds the IP header.
std::vector<uint8_t> EncodeEchoRequest(uint16_t id, uint16_t seq);

// An echo reply (type 0) with a valid ICMP checksum, from an IPv4 datagram
// (header included); nullopt for anything else.
std::optional<EchoReply> ParseEchoReply(std::span<const uint8_t> datagram);

// RFC 1071 Internet checksum.
uint16_t InternetChecksum(std::span<const uint8_t> bytes);

}  // namespace rackboot::bootd::dhcp
