#include "bootd/dhcp/mac_rate_limiter.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::dhcp {
namespace {

const MacAddress kA = *MacAddress::Parse("02:00:00:00:00:0a");
const MacAddress kB = *MacAddress::Parse("02:00:00:00:00:0b");

TEST(MacRateLimiter, AllowsBurstThenLimitsPerMac) {
  MacRateLimiter limiter(5);  // burst 10
  int allowed = 0;
  for (int i = 0; i < 50; ++i) allowed += limiter.Allow(kA, 1000);
  EXPECT_EQ(allowed, 10);
  // Another MAC is not affected.
  EXPECT_TRUE(limiter.Allow(kB, 1000));
  // Tokens come back with time: 1 s at 5/s refills 5.
  allowed = 0;
  for (int i = 0; i < 50; ++i) allowed += limiter.Allow(kA, 2000);
  EXPECT_EQ(allowed, 5);
}

TEST(MacRateLimiter, ZeroMeansUnlimited) {
  MacRateLimiter limiter(0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Allow(kA, 0));
}

TEST(MacRateLimiter, TableStaysBounded) {
  MacRateLimiter limiter(1, 16);
  for (int i = 0; i < 100; ++i) {
    std::array<uint8_t, 6> b{2, 0, 0, 0, 0, static_cast<uint8_t>(i)};
    limiter.Allow(MacAddress(b), i);
  }
  EXPECT_LE(limiter.tracked(), 16u);
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
