// The pure half of the pool-address probe: echo request bytes and reply
// parsing (RFC 792, checksum RFC 1071).
#include "bootd/dhcp/icmp_echo.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::dhcp {
namespace {

// An IPv4 header (no options) from 192.0.2.100 around `icmp`.
std::vector<uint8_t> FromHost(const std::vector<uint8_t>& icmp, uint8_t protocol = 1) {
  const size_t total = 20 + icmp.size();
  std::vector<uint8_t> d = {0x45,
                            0,
                            static_cast<uint8_t>(total >> 8),
                            static_cast<uint8_t>(total),
                            0,
                            1,
                            0,
                            0,
                            64,
                            protocol,
                            0,
                            0,
                            192,
                            0,
                            2,
                            100,
                            192,
                            0,
                            2,
                            1};
  d.insert(d.end(), icmp.begin(), icmp.end());
  return d;
}

// The request turned into the reply a host sends back: type 0, checksum
// adjusted (type 8 -> 0 adds 0x0800 to the checksum).
std::vector<uint8_t> AsReply(std::vector<uint8_t> icmp) {
  icmp[0] = 0;
  icmp[2] = icmp[3] = 0;
  const uint16_t sum = InternetChecksum(icmp);
  icmp[2] = static_cast<uint8_t>(sum >> 8);
  icmp[3] = static_cast<uint8_t>(sum);
  return icmp;
}

TEST(IcmpEcho, RequestIsByteExact) {
  const std::vector<uint8_t> want = {8,   0,   0x3e, 0x1a, 0x12, 0x34, 0x00, 0x01,  // type, code, sum, id, seq
                                     'r', 'a', 'c',  'k',  'b',  'o',  'o',  't'};
  EXPECT_EQ(EncodeEchoRequest(0x1234, 1), want);
  EXPECT_EQ(InternetChecksum(want), 0);  // a correct checksum sums to zero
}

TEST(IcmpEcho, ParsesAReplyFromItsIpDatagram) {
  auto d = FromHost(AsReply(EncodeEchoRequest(0x1234, 7)));
  d.insert(d.end(), 6, 0);  // Ethernet minimum-frame padding after the datagram
  auto r = ParseEchoReply(d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from, *Ipv4Address::Parse("192.0.2.100"));
  EXPECT_EQ(r->id, 0x1234);
  EXPECT_EQ(r->seq, 7);
}

TEST(IcmpEcho, RejectsRequestsBadChecksumsOtherProtocolsAndShortData) {
  EXPECT_FALSE(ParseEchoReply(FromHost(EncodeEchoRequest(1, 1))));  // our own request, looped back
  auto bad = AsReply(EncodeEchoRequest(1, 1));
  bad[10] ^= 0xff;
  EXPECT_FALSE(ParseEchoReply(FromHost(bad)));
  EXPECT_FALSE(ParseEchoReply(FromHost(AsReply(EncodeEchoRequest(1, 1)), 17)));
  auto d = FromHost(AsReply(EncodeEchoRequest(1, 1)));
  EXPECT_FALSE(ParseEchoReply(std::span<const uint8_t>(d.data(), 27)));
  d[3] = 200;  // total length past the end
  EXPECT_FALSE(ParseEchoReply(d));
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
