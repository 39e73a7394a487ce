#include "controller/push/stream_session.h"

#include <gtest/gtest.h>

#include "tests/unit/controller/push/test_assignments.h"

namespace rackboot::controller::push {
namespace {

using testing::Machine;

v1alpha1::Hello HelloAt(uint64_t version, uint64_t epoch) {
  v1alpha1::Hello h;
  h.set_rack("rack-a");
  h.set_last_applied_version(version);
  h.set_last_applied_epoch(epoch);
  return h;
}

v1alpha1::Ack AckFor(const v1alpha1::AssignmentUpdate& u, const std::string& error = "") {
  v1alpha1::Ack a;
  a.set_version(u.version());
  a.set_nonce(u.nonce());
  a.set_error_detail(error);
  return a;
}

class StreamSessionTest : public ::testing::Test {
 protected:
  StreamSessionTest() {
    cache_.SetLeaderEpoch(7);
    cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
    cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02"));
  }
  RackSnapshotCache cache_{1000};
  StreamSession session_{"rack-a", "s1"};
};

TEST_F(StreamSessionTest, NothingBeforeHello) {
  EXPECT_FALSE(session_.NextUpdate(cache_));
}

TEST_F(StreamSessionTest, SnapshotThenDeltaAfterAck) {
  session_.OnHello(HelloAt(0, 0));
  auto first = session_.NextUpdate(cache_);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->full_snapshot());
  EXPECT_EQ(first->leader_epoch(), 7u);
  EXPECT_EQ(first->upserts_size(), 2);
  // One update in flight at a time.
  cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:22"));
  EXPECT_FALSE(session_.NextUpdate(cache_));
  EXPECT_EQ(session_.OnAck(AckFor(*first)).kind, AckOutcome::Kind::kAck);
  EXPECT_EQ(session_.applied_version(), first->version());
  auto second = session_.NextUpdate(cache_);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->full_snapshot());
  EXPECT_EQ(second->base_version(), first->version());
  ASSERT_EQ(second->upserts_size(), 1);
  EXPECT_EQ(second->upserts(0).machine_name(), "ns/m2");
  EXPECT_NE(second->nonce(), first->nonce());
  EXPECT_EQ(session_.OnAck(AckFor(*second)).kind, AckOutcome::Kind::kAck);
  EXPECT_FALSE(session_.NextUpdate(cache_));  // in sync
}

TEST_F(StreamSessionTest, ReconnectAtCurrentVersionSendsNothing) {
  session_.OnHello(HelloAt(cache_.Version("rack-a"), 7));
  EXPECT_FALSE(session_.NextUpdate(cache_));
}

TEST_F(StreamSessionTest, ReconnectBehindGetsDelta) {
  const uint64_t v = cache_.Version("rack-a");
  cache_.Remove("rack-a", "ns/m1");
  session_.OnHello(HelloAt(v, 7));
  auto u = session_.NextUpdate(cache_);
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->full_snapshot());
  EXPECT_EQ(u->upserts_size(), 0);
  ASSERT_EQ(u->removals_size(), 1);
  EXPECT_EQ(u->removals(0), "ns/m1");
}

TEST_F(StreamSessionTest, NackHoldsUntilNewerVersion) {
  session_.OnHello(HelloAt(0, 0));
  auto first = session_.NextUpdate(cache_);
  ASSERT_TRUE(first);
  AckOutcome nack = session_.OnAck(AckFor(*first, "machine ns/m1: invalid MAC"));
  EXPECT_EQ(nack.kind, AckOutcome::Kind::kNack);
  EXPECT_EQ(nack.error_detail, "machine ns/m1: invalid MAC");
  EXPECT_EQ(nack.machines, (std::vector<std::string>{"ns/m1", "ns/m2"}));
  EXPECT_EQ(session_.applied_version(), 0u);
  // Never resent in a loop.
  EXPECT_FALSE(session_.NextUpdate(cache_));
  EXPECT_FALSE(session_.NextUpdate(cache_));
  ASSERT_TRUE(session_.held_version());
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:11"));
  auto retry = session_.NextUpdate(cache_);
  ASSERT_TRUE(retry);
  EXPECT_GT(retry->version(), first->version());
  EXPECT_TRUE(retry->full_snapshot());  // bootd still holds nothing
  EXPECT_EQ(session_.OnAck(AckFor(*retry)).kind, AckOutcome::Kind::kAck);
  EXPECT_FALSE(session_.held_version());
}

TEST_F(StreamSessionTest, NackIsRecognisedByErrorDetailNotVersion) {
  session_.OnHello(HelloAt(0, 0));
  auto u = session_.NextUpdate(cache_);
  ASSERT_TRUE(u);
  v1alpha1::Ack a = AckFor(*u, "bad");
  a.set_version(u->version());  // a confused bootd echoing the new version still NACKs
  EXPECT_EQ(session_.OnAck(a).kind, AckOutcome::Kind::kNack);
}

TEST_F(StreamSessionTest, StaleNonceIgnored) {
  session_.OnHello(HelloAt(0, 0));
  auto u = session_.NextUpdate(cache_);
  ASSERT_TRUE(u);
  v1alpha1::Ack a = AckFor(*u);
  a.set_nonce("other-stream-1");
  EXPECT_EQ(session_.OnAck(a).kind, AckOutcome::Kind::kIgnored);
  EXPECT_TRUE(session_.in_flight());
  EXPECT_EQ(session_.OnAck(AckFor(*u)).kind, AckOutcome::Kind::kAck);
  EXPECT_EQ(session_.OnAck(AckFor(*u)).kind, AckOutcome::Kind::kIgnored);  // duplicate
}

}  // namespace
}  // namespace rackboot::controller::push
