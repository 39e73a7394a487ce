#include "common/log_throttle.h"

#include <gtest/gtest.h>

namespace rackboot::log {
namespace {

TEST(LogThrottleTest, FirstEventLogsThenOneLinePerIntervalWithTheCount) {
  LogThrottle t(1000);
  EXPECT_EQ(t.Note(0), 1u);
  EXPECT_EQ(t.Note(10), 0u);
  EXPECT_EQ(t.Note(999), 0u);
  EXPECT_EQ(t.Note(1000), 3u);  // the two held back and this one
  EXPECT_EQ(t.Note(1500), 0u);
  EXPECT_EQ(t.Note(5000), 2u);
}

}  // namespace
}  // namespace rackboot::log
