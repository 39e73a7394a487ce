// libFuzzer target: the Router Solicitation checks of the IPv6 "no router"
// advertiser on arbitrary ICMPv6 messages. The first byte picks the hop
// limit the message "arrived" with, the rest is the message. An accepted
// message must be an RS whose options tile it exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bootd/dhcp/router_advertisement.h"

using namespace rackboot::bootd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int hop_limit = data[0];
  std::span<const uint8_t> icmp(data + 1, size - 1);
  if (!IsValidRouterSolicitation(icmp, hop_limit)) return 0;
  if (hop_limit != 255 || icmp[0] != kIcmpv6RouterSolicitation) std::abort();
  size_t at = 8;
  while (at < icmp.size()) at += size_t{icmp[at + 1]} * 8;
  if (at != icmp.size()) std::abort();
  return 0;
}
