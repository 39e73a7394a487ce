#include "bootd/agent/event_outbox.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::agent {
namespace {

v1alpha1::BootEvent Ev(uint64_t seq) {
  v1alpha1::BootEvent e;
  e.set_sequence(seq);
  return e;
}

TEST(EventOutboxTest, ResendFromStartUntilAcked) {
  EventOutbox box;
  for (uint64_t s = 1; s <= 3; ++s) box.Push(Ev(s));
  EXPECT_EQ(box.NextAfter(0)->sequence(), 1u);
  EXPECT_EQ(box.NextAfter(1)->sequence(), 2u);
  EXPECT_FALSE(box.NextAfter(3));
  box.Ack(2);
  EXPECT_EQ(box.size(), 1u);
  EXPECT_EQ(box.NextAfter(0)->sequence(), 3u);  // a new stream starts over at what is left
}

TEST(EventOutboxTest, KeepsOrderAndDropsRepeats) {
  EventOutbox box;
  box.Push(Ev(5));
  box.Push(Ev(3));
  box.Push(Ev(5));
  box.Push(Ev(4));
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.NextAfter(0)->sequence(), 3u);
  box.Ack(5);
  box.Push(Ev(4));  // acknowledged already
  EXPECT_EQ(box.size(), 0u);
}

TEST(EventOutboxTest, BoundedDropsOldest) {
  EventOutbox box(2);
  for (uint64_t s = 1; s <= 5; ++s) box.Push(Ev(s));
  EXPECT_EQ(box.size(), 2u);
  EXPECT_EQ(box.dropped(), 3u);
  EXPECT_EQ(box.NextAfter(0)->sequence(), 4u);
}

}  // namespace
}  // namespace rackboot::bootd::agent
