#include "bootd/dhcp/router_advertisement.h"

namespace rackboot::bootd::dhcp {

namespace {
constexpr uint8_t kOptionSourceLinkLayerAddress = 1;
}

std::vector<uint8_t> EncodeNoRouterAdvertisement(const MacAddress& source_mac) {
  std::vector<uint8_t> m = {
      kIcmpv6RouterAdvertisement,
      0,  // code
      0,
      0,  // checksum (kernel)
      0,  // cur hop limit: unspecified
      0,  // flags: M=0 (no DHCPv6 addresses), O=0 (no DHCPv6 options)
      0,
      0,  // router lifetime 0: not a default router
      0,
      0,
      0,
      0,  // reachable time: unspecified
      0,
      0,
      0,
      0,  // retrans timer: unspecified
      kOptionSourceLinkLayerAddress,
      1,  // option length in units of 8 octets
  };
  m.insert(m.end(), source_mac.bytes().begin(), source_mac.bytes().end());
  return m;
}

bool IsValidRouterSolicitation(std::span<const uint8_t> icmp, int hop_limit) {
  if (hop_limit != 255 || icmp.size() < 8) return false;
  if (icmp[0] != kIcmpv6RouterSolicitation || icmp[1] != 0) return false;
  // Options follow the 4 reserved octets; each is (type, length in 8-octet
  // units, ...), length 0 is invalid (it would loop forever).
  size_t at = 8;
  while (at < icmp.size()) {
    if (icmp.size() - at < 2) return false;
    const size_t len = size_t{icmp[at + 1]} * 8;
    if (len == 0 || len > icmp.size() - at) return false;
    at += len;
  }
  return true;
}

}  // namespace rackboot::bootd::dhcp
