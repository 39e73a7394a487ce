#include "bootd/tftp/transfer_admission.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::tftp {
namespace {

using Verdict = TransferAdmission::Verdict;

TransferAdmission Make(size_t active, size_t queued, int64_t ttl_ms = 15000) {
  return TransferAdmission(AdmissionLimits{active, queued, ttl_ms});
}

TEST(TransferAdmissionTest, StartsUpToTheLimitThenQueuesThenIgnores) {
  TransferAdmission a = Make(2, 2);
  EXPECT_EQ(a.Arrive(1, 0), Verdict::kStart);
  EXPECT_EQ(a.Arrive(2, 0), Verdict::kStart);
  EXPECT_EQ(a.Arrive(3, 0), Verdict::kQueued);
  EXPECT_EQ(a.Arrive(4, 0), Verdict::kQueued);
  EXPECT_EQ(a.Arrive(5, 0), Verdict::kIgnored);  // no ERROR: the client retransmits
  EXPECT_EQ(a.active(), 2u);
  EXPECT_EQ(a.queued(), 2u);
}

TEST(TransferAdmissionTest, RetransmittedRequestsAreDuplicates) {
  TransferAdmission a = Make(1, 1);
  EXPECT_EQ(a.Arrive(1, 0), Verdict::kStart);
  EXPECT_EQ(a.Arrive(2, 0), Verdict::kQueued);
  EXPECT_EQ(a.Arrive(1, 10), Verdict::kDuplicate);
  EXPECT_EQ(a.Arrive(2, 10), Verdict::kDuplicate);
  EXPECT_EQ(a.queued(), 1u);
}

TEST(TransferAdmissionTest, FinishedTransfersStartQueuedClientsInArrivalOrder) {
  TransferAdmission a = Make(1, 3);
  a.Arrive(1, 0);
  a.Arrive(2, 0);
  a.Arrive(3, 0);
  a.Arrive(3, 5);  // retransmitting more often does not move a client ahead
  a.Arrive(4, 0);
  EXPECT_EQ(a.Finish(1, 10).start, std::optional<uint64_t>(2));
  EXPECT_EQ(a.Finish(2, 10).start, std::optional<uint64_t>(3));
  EXPECT_EQ(a.Finish(3, 10).start, std::optional<uint64_t>(4));
  EXPECT_EQ(a.Finish(4, 10).start, std::nullopt);
  EXPECT_EQ(a.active(), 0u);
  EXPECT_EQ(a.Arrive(1, 20), Verdict::kStart);  // the same TID again is a new request
}

TEST(TransferAdmissionTest, IgnoredClientIsQueuedOnItsRetransmission) {
  TransferAdmission a = Make(1, 1);
  a.Arrive(1, 0);
  a.Arrive(2, 0);
  EXPECT_EQ(a.Arrive(3, 0), Verdict::kIgnored);
  EXPECT_EQ(a.Finish(1, 5).start, std::optional<uint64_t>(2));
  EXPECT_EQ(a.Arrive(3, 1000), Verdict::kQueued);
  EXPECT_EQ(a.Finish(2, 1001).start, std::optional<uint64_t>(3));
}

TEST(TransferAdmissionTest, QueuedClientsThatStoppedAskingExpire) {
  TransferAdmission a = Make(1, 3, /*ttl_ms=*/100);
  a.Arrive(1, 0);
  a.Arrive(2, 0);  // never retransmits
  a.Arrive(3, 0);
  a.Arrive(3, 90);  // still asking
  TransferAdmission::Next next = a.Finish(1, 150);
  EXPECT_EQ(next.start, std::optional<uint64_t>(3));
  EXPECT_EQ(next.expired, std::vector<uint64_t>{2});
  EXPECT_EQ(a.queued(), 0u);
}

TEST(TransferAdmissionTest, FullQueueMakesRoomByExpiringItsHead) {
  TransferAdmission a = Make(1, 1, /*ttl_ms=*/100);
  a.Arrive(1, 0);
  a.Arrive(2, 0);
  EXPECT_EQ(a.Arrive(3, 50), Verdict::kIgnored);
  EXPECT_EQ(a.Arrive(3, 200), Verdict::kQueued);  // 2 expired
  EXPECT_EQ(a.Finish(1, 210).start, std::optional<uint64_t>(3));
}

TEST(TransferAdmissionTest, RefusedQueuedClientLeavesTheQueue) {
  TransferAdmission a = Make(1, 2);
  a.Arrive(1, 0);
  a.Arrive(2, 0);
  a.Arrive(3, 0);
  EXPECT_EQ(a.Finish(2, 1).start, std::nullopt);  // still at capacity
  EXPECT_EQ(a.queued(), 1u);
  EXPECT_EQ(a.Finish(1, 2).start, std::optional<uint64_t>(3));
}

}  // namespace
}  // namespace rackboot::bootd::tftp
