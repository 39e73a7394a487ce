#include "bootd/http/config_token.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::http {
namespace {

const MacAddress kMac = *MacAddress::Parse("52:54:00:12:34:56");
const Ipv4Address kIp = *Ipv4Address::Parse("10.0.0.5");

TEST(ConfigToken, BoundToMacIpAndTime) {
  ConfigTokenSigner s("k", 600);
  std::string t = s.Mint(kMac, kIp, 1000);
  EXPECT_TRUE(s.Verify(t, kMac, kIp, 1000).ok());
  EXPECT_TRUE(s.Verify(t, kMac, kIp, 1600).ok());
  EXPECT_FALSE(s.Verify(t, kMac, kIp, 1601).ok()) << "expired";
  EXPECT_FALSE(s.Verify(t, *MacAddress::Parse("52:54:00:12:34:57"), kIp, 1000).ok());
  EXPECT_FALSE(s.Verify(t, kMac, *Ipv4Address::Parse("10.0.0.6"), 1000).ok());
  EXPECT_FALSE(ConfigTokenSigner("other", 600).Verify(t, kMac, kIp, 1000).ok());
}

TEST(ConfigToken, TamperingFails) {
  ConfigTokenSigner s("k", 600);
  std::string t = s.Mint(kMac, kIp, 1000);
  std::string later = t;
  later.replace(3, 4, "9999");  // push the expiry
  EXPECT_FALSE(s.Verify(later, kMac, kIp, 1000).ok());
  std::string flipped = t;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(s.Verify(flipped, kMac, kIp, 1000).ok());
  for (const char* bad : {"", "v1.", "v1..", "v2.1600.00", "v1.x.00", "v1.1600", "v1.1600.short"}) {
    EXPECT_FALSE(s.Verify(bad, kMac, kIp, 1000).ok()) << bad;
  }
}

TEST(ConfigToken, RandomKeysDiffer) {
  auto a = ConfigTokenSigner::WithRandomKey(60), b = ConfigTokenSigner::WithRandomKey(60);
  EXPECT_NE(a.Mint(kMac, kIp, 0), b.Mint(kMac, kIp, 0));
}

}  // namespace
}  // namespace rackboot::bootd::http
