// The "no IPv6 router" advertisement bytes (RFC 4861 §4.2) and the Router
// Solicitation validity checks (§6.1.1).
#include "bootd/dhcp/router_advertisement.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::dhcp {
namespace {

const MacAddress kMac = *MacAddress::Parse("52:54:00:12:34:56");

TEST(RouterAdvertisementTest, SaysNotARouterAndNothingToConfigure) {
  const std::vector<uint8_t> ra = EncodeNoRouterAdvertisement(kMac);
  const std::vector<uint8_t> want = {134,  0,    0,    0,  // type RA, code 0, checksum left to the kernel
                                     0,    0,              // cur hop limit unspecified; M=0, O=0
                                     0,    0,              // router lifetime 0: not a default router
                                     0,    0,    0,    0,    0,    0,
                                     0,    0,  // reachable time, retrans timer: unspecified
                                     1,    1,  // source link-layer address, 8 octets
                                     0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  EXPECT_EQ(ra, want);
  EXPECT_EQ(ra.size() % 8, 0u);  // options end on an 8-octet boundary
}

std::vector<uint8_t> Solicitation(std::vector<uint8_t> options = {}) {
  std::vector<uint8_t> rs = {133, 0, 0x12, 0x34, 0, 0, 0, 0};
  rs.insert(rs.end(), options.begin(), options.end());
  return rs;
}

TEST(RouterAdvertisementTest, AcceptsSolicitationsAsRfc4861Says) {
  EXPECT_TRUE(IsValidRouterSolicitation(Solicitation(), 255));
  EXPECT_TRUE(IsValidRouterSolicitation(Solicitation({1, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56}), 255));
  // Two options back to back, the second 16 octets long.
  std::vector<uint8_t> two = {1, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 14, 2};
  two.resize(8 + 16, 0);
  EXPECT_TRUE(IsValidRouterSolicitation(Solicitation(two), 255));
}

TEST(RouterAdvertisementTest, RejectsForwardedShortMalformedAndOtherMessages) {
  EXPECT_FALSE(IsValidRouterSolicitation(Solicitation(), 254));  // forwarded by a router
  EXPECT_FALSE(IsValidRouterSolicitation(Solicitation(), -1));   // hop limit not reported
  EXPECT_FALSE(IsValidRouterSolicitation(std::vector<uint8_t>{133, 0, 0, 0}, 255));
  std::vector<uint8_t> code1 = Solicitation();
  code1[1] = 1;
  EXPECT_FALSE(IsValidRouterSolicitation(code1, 255));
  std::vector<uint8_t> ra = Solicitation();
  ra[0] = 134;
  EXPECT_FALSE(IsValidRouterSolicitation(ra, 255));
  EXPECT_FALSE(IsValidRouterSolicitation(Solicitation({1, 0, 0, 0, 0, 0, 0, 0}), 255));  // length 0
  EXPECT_FALSE(IsValidRouterSolicitation(Solicitation({1, 2, 0, 0, 0, 0, 0, 0}), 255));  // past the end
  EXPECT_FALSE(IsValidRouterSolicitation(Solicitation({1}), 255));                       // half an option
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
