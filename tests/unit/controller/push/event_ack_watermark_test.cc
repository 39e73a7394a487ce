#include "controller/push/event_ack_watermark.h"

#include <gtest/gtest.h>

namespace rackboot::controller::push {
namespace {

TEST(EventAckWatermark, NothingToAcknowledgeWhileTheOnlyEventIsInFlight) {
  EventAckWatermark w;
  w.Started(1);
  EXPECT_FALSE(w.Next().has_value());
  w.Finished(1);
  EXPECT_EQ(w.Next(), 1u);
  EXPECT_FALSE(w.Next().has_value()) << "the same sequence is acknowledged once";
}

TEST(EventAckWatermark, OutOfOrderCompletionAcknowledgesOnlyTheStoredPrefix) {
  EventAckWatermark w;
  for (uint64_t s = 1; s <= 4; ++s) w.Started(s);
  w.Finished(1);
  w.Finished(3);
  w.Finished(4);
  EXPECT_EQ(w.Next(), 1u) << "2 is not stored: 3 and 4 must not be covered yet";
  w.Finished(2);
  EXPECT_EQ(w.Next(), 4u);
}

TEST(EventAckWatermark, DuplicatesAreAcknowledgedButNotPastAnEventInFlight) {
  EventAckWatermark w;
  w.Seen(5);  // resent after a reconnect, handled on the earlier stream
  EXPECT_EQ(w.Next(), 5u);
  w.Started(6);
  w.Seen(7);
  EXPECT_FALSE(w.Next().has_value());
  w.Finished(6);
  EXPECT_EQ(w.Next(), 7u);
}

}  // namespace
}  // namespace rackboot::controller::push
