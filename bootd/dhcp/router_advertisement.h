#pragma once
// The "no IPv6 router here" Router Advertisement (RFC 4861 §4.2) that ends
// iPXE's IPv6 router discovery at once. iPXE configures IPv6 alongside
// DHCPv4 and, when no router answers its Router Solicitation, waits about
// 13 s before it goes on booting (../shared/reference/pxe-lab-facts.md).
// An RA with router lifetime 0, no prefix and the M/O flags clear tells
// hosts that bootd is not a default router and that there is nothing to
// configure, so they neither route through bootd nor start SLAAC/DHCPv6.
// Pure: bytes out, received ICMPv6 bytes in.

#include <cstdint>
#include <span>
#include <vector>

#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

inline constexpr uint8_t kIcmpv6RouterSolicitation = 133;
inline constexpr uint8_t kIcmpv6RouterAdvertisement = 134;

// The ICMPv6 message (no IP header). The checksum field is left 0: the
// kernel fills it in for IPPROTO_ICMPV6 raw sockets (RFC 3542 §3.1).
// Carries the source link-layer address option so receivers need no
// Neighbor Solicitation to answer.
std::vector<uint8_t> EncodeNoRouterAdvertisement(const MacAddress& source_mac);

// RFC 4861 §6.1.1 validity checks a router applies to a Router
// Solicitation, given the ICMPv6 message as a raw ICMPv6 socket delivers
// it (no IP header) and the IPv6 hop limit it arrived with: hop limit 255
// (it was not forwarded), code 0, at least 8 octets, every option of
// non-zero length and inside the message.
bool IsValidRouterSolicitation(std::span<const uint8_t> icmp, int hop_limit);

}  // namespace rackboot::bootd::dhcp
