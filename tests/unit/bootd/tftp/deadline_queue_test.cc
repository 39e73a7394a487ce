#include "bootd/tftp/deadline_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace rackboot::bootd::tftp {
namespace {

using Ids = std::vector<uint64_t>;

TEST(DeadlineQueueTest, PopsDueIdsInDeadlineOrder) {
  DeadlineQueue q;
  q.Schedule(1, 300);
  q.Schedule(2, 100);
  q.Schedule(3, 200);
  EXPECT_EQ(q.Next(), 100);
  EXPECT_EQ(q.PopDue(99), Ids{});
  EXPECT_EQ(q.PopDue(250), (Ids{2, 3}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.Next(), 300);
  EXPECT_EQ(q.PopDue(1000), Ids{1});
  EXPECT_EQ(q.Next(), std::nullopt);
}

TEST(DeadlineQueueTest, MovingLaterDefersTheId) {
  DeadlineQueue q;
  q.Schedule(7, 100);
  q.Schedule(7, 500);  // every ACK re-arms the timer later
  EXPECT_EQ(q.PopDue(100), Ids{});
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.Next(), 500);  // requeued at the real time when the early entry surfaced
  EXPECT_EQ(q.PopDue(499), Ids{});
  EXPECT_EQ(q.PopDue(500), Ids{7});
}

TEST(DeadlineQueueTest, MovingEarlierFiresEarlierAndOnlyOnce) {
  DeadlineQueue q;
  q.Schedule(7, 500);
  q.Schedule(7, 100);
  EXPECT_EQ(q.PopDue(100), Ids{7});
  EXPECT_EQ(q.PopDue(1000), Ids{});  // the stale 500 entry does not fire again
}

TEST(DeadlineQueueTest, RemovedIdsNeverFire) {
  DeadlineQueue q;
  q.Schedule(1, 100);
  q.Schedule(2, 100);
  q.Remove(1);
  EXPECT_EQ(q.PopDue(100), Ids{2});
  // An id reused after removal (a reused socket fd) gets only its new deadline.
  q.Schedule(3, 50);
  q.Remove(3);
  q.Schedule(3, 400);
  EXPECT_EQ(q.PopDue(399), Ids{});
  EXPECT_EQ(q.PopDue(400), Ids{3});
}

// Against a brute-force model: random schedules, moves, removals and pops;
// what pops must be exactly the ids whose latest deadline is due.
TEST(DeadlineQueueTest, AgreesWithAScanOfEveryId) {
  std::mt19937 rng(42);
  DeadlineQueue q;
  std::map<uint64_t, int64_t> model;
  int64_t now = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint64_t id = rng() % 50;
    switch (rng() % 4) {
      case 0:
      case 1: {
        const int64_t d = now + static_cast<int64_t>(rng() % 200);
        q.Schedule(id, d);
        model[id] = d;
        break;
      }
      case 2:
        q.Remove(id);
        model.erase(id);
        break;
      default: {
        now += static_cast<int64_t>(rng() % 30);
        std::vector<std::pair<int64_t, uint64_t>> want;
        for (auto it = model.begin(); it != model.end();) {
          if (it->second <= now) {
            want.push_back({it->second, it->first});
            it = model.erase(it);
          } else {
            ++it;
          }
        }
        std::sort(want.begin(), want.end());
        Ids want_ids;
        for (auto& [d, i] : want) want_ids.push_back(i);
        Ids got = q.PopDue(now);
        ASSERT_EQ(got, want_ids) << "step " << step;
        ASSERT_EQ(q.size(), model.size());
        if (!model.empty()) {
          int64_t earliest = INT64_MAX;
          for (auto& [i, d] : model) earliest = std::min(earliest, d);
          ASSERT_TRUE(q.Next().has_value());
          ASSERT_LE(*q.Next(), earliest);  // never late
        }
      }
    }
  }
}

}  // namespace
}  // namespace rackboot::bootd::tftp
