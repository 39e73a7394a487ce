#include "bootd/agent/reconnect_backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace rackboot::bootd::agent {
namespace {

using std::chrono::milliseconds;

TEST(ReconnectBackoffTest, DoublesUpToCapWithJitterInRange) {
  ReconnectBackoff b(milliseconds(100), milliseconds(1000));
  std::mt19937_64 rng(1);
  const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int64_t c : ceilings) {
    EXPECT_EQ(b.Ceiling().count(), c);
    auto d = b.Next(rng).count();
    EXPECT_GE(d, c / 2);
    EXPECT_LE(d, c);
  }
}

TEST(ReconnectBackoffTest, JitterSpreadsAFleet) {
  std::mt19937_64 rng(7);
  std::set<int64_t> seen;
  for (int i = 0; i < 50; ++i) {
    ReconnectBackoff b(milliseconds(1000), milliseconds(30000));
    seen.insert(b.Next(rng).count());
  }
  EXPECT_GT(seen.size(), 25u);
}

TEST(ReconnectBackoffTest, ResetAndHugeAttemptsStayCapped) {
  ReconnectBackoff b(milliseconds(500), milliseconds(30000));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) EXPECT_LE(b.Next(rng).count(), 30000);
  b.Reset();
  EXPECT_EQ(b.Ceiling().count(), 500);
}

}  // namespace
}  // namespace rackboot::bootd::agent
