// libFuzzer target: the echo-reply parser of the DHCP address probe on
// arbitrary datagrams (as a raw ICMP socket delivers them, IP header first).
// A parsed reply must carry a checksum that verifies.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bootd/dhcp/icmp_echo.h"

using namespace rackboot::bootd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto reply = ParseEchoReply(bytes);
  if (!reply) return 0;
  const size_t ihl = size_t{data[0] & 0x0fu} * 4;
  const size_t total = size_t{data[2]} << 8 | data[3];
  if (InternetChecksum(bytes.subspan(ihl, total - ihl)) != 0) std::abort();
  return 0;
}
