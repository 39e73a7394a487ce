#include "bootd/dhcp/packet_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace rackboot::bootd::dhcp {
namespace {

ReceivedPacket Packet(uint8_t tag) {
  ReceivedPacket p;
  p.bytes = {tag};
  return p;
}

TEST(PacketQueue, DropsOldestWhenFull) {
  PacketQueue q(3);
  EXPECT_TRUE(q.Push(Packet(1)));
  EXPECT_TRUE(q.Push(Packet(2)));
  EXPECT_TRUE(q.Push(Packet(3)));
  EXPECT_FALSE(q.Push(Packet(4)));  // 1 is dropped
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.Pop()->bytes[0], 2);
  EXPECT_EQ(q.Pop()->bytes[0], 3);
  EXPECT_EQ(q.Pop()->bytes[0], 4);
}

TEST(PacketQueue, PopBatchTakesAtMostMaxOldestFirst) {
  PacketQueue q(16);
  for (uint8_t i = 1; i <= 5; ++i) q.Push(Packet(i));
  std::vector<ReceivedPacket> batch;
  ASSERT_TRUE(q.PopBatch(&batch, 3));
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].bytes[0], 1);
  EXPECT_EQ(batch[2].bytes[0], 3);
  ASSERT_TRUE(q.PopBatch(&batch, 3));
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].bytes[0], 4);
  q.Close();
  EXPECT_FALSE(q.PopBatch(&batch, 3));
  EXPECT_TRUE(batch.empty());
}

TEST(PacketQueue, CloseWakesAWaitingConsumer) {
  PacketQueue q(4);
  std::optional<ReceivedPacket> got = Packet(9);
  std::thread consumer([&] { got = q.Pop(); });
  q.Close();
  consumer.join();
  EXPECT_FALSE(got.has_value());
}

TEST(PacketQueue, HandsOverAcrossThreads) {
  PacketQueue q(1024);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) q.Push(Packet(static_cast<uint8_t>(i)));
  });
  for (int i = 0; i < 100; ++i) ASSERT_EQ(q.Pop()->bytes[0], i);
  producer.join();
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
