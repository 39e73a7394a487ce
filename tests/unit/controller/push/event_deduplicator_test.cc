#include "controller/push/event_deduplicator.h"

#include <gtest/gtest.h>

namespace rackboot::controller::push {
namespace {

TEST(EventDeduplicatorTest, DropsResentEventsPerBootId) {
  EventDeduplicator d;
  EXPECT_TRUE(d.Accept("rack-a", "boot1", 1));
  EXPECT_TRUE(d.Accept("rack-a", "boot1", 2));
  EXPECT_FALSE(d.Accept("rack-a", "boot1", 1));  // resent after reconnect
  EXPECT_FALSE(d.Accept("rack-a", "boot1", 2));
  EXPECT_TRUE(d.Accept("rack-a", "boot1", 3));
  // A restarted bootd counts from 1 again under a new boot id.
  EXPECT_TRUE(d.Accept("rack-a", "boot2", 1));
  EXPECT_TRUE(d.Accept("rack-b", "boot1", 1));
}

TEST(EventDeduplicatorTest, Bounded) {
  EventDeduplicator d(2);
  EXPECT_TRUE(d.Accept("r", "a", 5));
  EXPECT_TRUE(d.Accept("r", "b", 5));
  EXPECT_TRUE(d.Accept("r", "c", 5));  // evicts "a"
  EXPECT_TRUE(d.Accept("r", "a", 5));  // forgotten: accepted again (bounded memory wins)
  EXPECT_FALSE(d.Accept("r", "c", 5));
}

}  // namespace
}  // namespace rackboot::controller::push
