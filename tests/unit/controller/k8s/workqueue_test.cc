#include "controller/k8s/workqueue.h"

#include <gtest/gtest.h>

#include <thread>

#include "controller/k8s/backoff.h"

namespace rackboot::k8s {
namespace {

TEST(WorkQueueTest, DeduplicatesQueuedKeys) {
  WorkQueue q;
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(*q.Get(), "ns/a");
  EXPECT_EQ(*q.Get(), "ns/b");
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsRequeuedOnDoneNotHandedOutTwice) {
  WorkQueue q;
  q.Add("ns/a");
  auto k = q.Get();
  ASSERT_TRUE(k);
  q.Add("ns/a");  // changed while a worker holds it
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 0u) << "must not reach a second worker concurrently";
  q.Done(*k);
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(*q.Get(), "ns/a");
}

TEST(WorkQueueTest, ShutDownWakesWaitersAndDrains) {
  WorkQueue q;
  std::optional<std::string> got = "unset";
  std::thread t([&] { got = q.Get(); });
  q.ShutDown();
  t.join();
  EXPECT_FALSE(got.has_value());
  q.Add("late");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, DelayedKeyArrives) {
  WorkQueue q;
  q.AddAfter("ns/a", Duration(20));
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(*q.Get(), "ns/a");  // blocks until due
}

TEST(WorkQueueTest, RateLimitedRequeueCountsFailuresUntilForget) {
  WorkQueue q;
  q.AddRateLimited("ns/a");
  q.AddRateLimited("ns/a");
  EXPECT_EQ(q.NumRequeues("ns/a"), 2);
  q.Forget("ns/a");
  EXPECT_EQ(q.NumRequeues("ns/a"), 0);
}

TEST(ItemBackoffTest, DoublesFrom5msAndCapsAt1000s) {
  ItemBackoff b;
  EXPECT_EQ(b.When("k"), Duration(5));
  EXPECT_EQ(b.When("k"), Duration(10));
  EXPECT_EQ(b.When("k"), Duration(20));
  EXPECT_EQ(b.When("other"), Duration(5)) << "per item";
  for (int i = 0; i < 100; ++i) b.When("k");
  EXPECT_EQ(b.When("k"), Duration(1000 * 1000));
  b.Forget("k");
  EXPECT_EQ(b.When("k"), Duration(5));
}

TEST(BackoffTest, ReconnectBackoffGrowsFrom800msTo30sWithJitter) {
  Backoff b(Duration(800), Duration(30000), 1.0, 42);
  Duration base(800);
  for (int i = 0; i < 10; ++i) {
    Duration d = b.Next();
    EXPECT_GE(d, base);
    EXPECT_LE(d, base * 2);
    base = std::min(base * 2, Duration(30000));
  }
  b.Reset();
  Duration d = b.Next();
  EXPECT_GE(d, Duration(800));
  EXPECT_LE(d, Duration(1600));
}

TEST(TokenBucketTest, BurstThenTenPerSecond) {
  TokenBucket b(10, 100);
  const auto t0 = TokenBucket::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(b.Reserve(t0), Duration(0)) << i;
  EXPECT_EQ(b.Reserve(t0), Duration(100)) << "101st waits one token (100 ms)";
  EXPECT_EQ(b.Reserve(t0), Duration(200));
  // 1 s later 10 tokens came back, 2 were already owed.
  EXPECT_EQ(b.Reserve(t0 + std::chrono::seconds(1)), Duration(0));
}

TEST(BackoffTest, JitterSpreadsReplicas) {
  Backoff a(Duration(800), Duration(30000), 1.0, 1), b(Duration(800), Duration(30000), 1.0, 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ |= a.Next() != b.Next();
  EXPECT_TRUE(differ);
}

}  // namespace
}  // namespace rackboot::k8s
