#include "common/net_address.h"

#include <gtest/gtest.h>

namespace rackboot {
namespace {

TEST(MacAddressTest, ParsesColonAndDashForms) {
  auto a = MacAddress::Parse("52:54:00:AB:cd:0f");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->ToString(), "52:54:00:ab:cd:0f");
  auto b = MacAddress::Parse("52-54-00-ab-cd-0f");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->ToString('-'), "52-54-00-ab-cd-0f");
}

TEST(MacAddressTest, RejectsMalformed) {
  for (const char* bad : {"", "52:54:00:ab:cd", "52:54:00:ab:cd:0f:11", "52:54-00:ab:cd:0f", "52:54:00:ab:cd:0g",
                          "5254.00ab.cd0f", "52:54:00:ab:cd:0f\n"}) {
    EXPECT_FALSE(MacAddress::Parse(bad).has_value()) << bad;
  }
}

TEST(Ipv4AddressTest, RoundTrips) {
  auto a = Ipv4Address::Parse("10.0.2.255");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->value(), 0x0A0002FFu);
  EXPECT_EQ(a->ToString(), "10.0.2.255");
  EXPECT_EQ(Ipv4Address::Parse("0.0.0.0")->value(), 0u);
}

TEST(Ipv4AddressTest, RejectsMalformed) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.4.", ".1.2.3.4",
                          "a.b.c.d", "1.2.3.-4", " 1.2.3.4"}) {
    EXPECT_FALSE(Ipv4Address::Parse(bad).has_value()) << bad;
  }
}

TEST(Ipv4PrefixTest, ContainsAndMask) {
  auto p = Ipv4Prefix::Parse("192.0.2.0/24");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->Mask(), 0xFFFFFF00u);
  EXPECT_TRUE(p->Contains(*Ipv4Address::Parse("192.0.2.77")));
  EXPECT_FALSE(p->Contains(*Ipv4Address::Parse("192.0.3.1")));
  EXPECT_EQ(Ipv4Prefix::Parse("0.0.0.0/0")->Mask(), 0u);
  EXPECT_FALSE(Ipv4Prefix::Parse("192.0.2.0/33").has_value());
  EXPECT_FALSE(Ipv4Prefix::Parse("192.0.2.0").has_value());
  EXPECT_FALSE(Ipv4Prefix::Parse("192.0.2.0/2x").has_value());
}

}  // namespace
}  // namespace rackboot
