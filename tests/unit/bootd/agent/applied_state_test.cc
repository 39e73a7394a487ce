#include "bootd/agent/applied_state.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::agent {
namespace {

v1alpha1::HostAssignment Machine(const std::string& name, const std::string& mac) {
  v1alpha1::HostAssignment a;
  a.set_machine_name(name);
  a.set_rack("rack-a");
  a.add_interfaces()->set_mac(mac);
  return a;
}

v1alpha1::AssignmentUpdate Full(uint64_t version, uint64_t epoch, std::vector<v1alpha1::HostAssignment> machines) {
  v1alpha1::AssignmentUpdate u;
  u.set_version(version);
  u.set_nonce("n" + std::to_string(version));
  u.set_leader_epoch(epoch);
  u.set_full_snapshot(true);
  for (auto& m : machines) *u.add_upserts() = m;
  return u;
}

v1alpha1::AssignmentUpdate Delta(uint64_t base, uint64_t version, uint64_t epoch,
                                 std::vector<v1alpha1::HostAssignment> upserts,
                                 std::vector<std::string> removals = {}) {
  v1alpha1::AssignmentUpdate u = Full(version, epoch, std::move(upserts));
  u.set_full_snapshot(false);
  u.set_base_version(base);
  for (auto& r : removals) u.add_removals(r);
  return u;
}

class AppliedStateTest : public ::testing::Test {
 protected:
  AppliedStateTest() { state_.rack = "rack-a"; }
  // Decide + commit, like the agent.
  UpdateDecision Apply(const v1alpha1::AssignmentUpdate& u) {
    UpdateDecision d = DecideUpdate(state_, u);
    if (d.kind == UpdateDecision::Kind::kApply) CommitUpdate(state_, u);
    return d;
  }
  AppliedState state_;
};

TEST_F(AppliedStateTest, FullSnapshotThenDelta) {
  auto d = Apply(Full(10, 1, {Machine("ns/m1", "52:54:00:00:00:01"), Machine("ns/m2", "52:54:00:00:00:02")}));
  ASSERT_EQ(d.kind, UpdateDecision::Kind::kApply);
  EXPECT_TRUE(d.full_snapshot);
  EXPECT_EQ(d.upserts.size(), 2u);
  EXPECT_EQ(state_.version, 10u);
  d = Apply(Delta(10, 11, 1, {Machine("ns/m3", "52:54:00:00:00:03")}, {"ns/m1"}));
  ASSERT_EQ(d.kind, UpdateDecision::Kind::kApply);
  EXPECT_FALSE(d.full_snapshot);
  ASSERT_EQ(d.upserts.size(), 1u);
  EXPECT_EQ(d.upserts[0].machine_name, "ns/m3");
  EXPECT_EQ(d.removals, (std::vector<std::string>{"ns/m1"}));
  EXPECT_EQ(state_.version, 11u);
  EXPECT_EQ(state_.assignments.size(), 2u);
  EXPECT_EQ(state_.assignments.count("ns/m1"), 0u);
}

TEST_F(AppliedStateTest, InvalidMacIsNackAndKeepsState) {
  Apply(Full(10, 1, {Machine("ns/m1", "52:54:00:00:00:01")}));
  auto d = Apply(Delta(10, 11, 1, {Machine("ns/m2", "52:54:00:00:00:zz")}));
  EXPECT_EQ(d.kind, UpdateDecision::Kind::kNack);
  EXPECT_NE(d.error_detail.find("invalid MAC"), std::string::npos);
  EXPECT_NE(d.error_detail.find("ns/m2"), std::string::npos);
  EXPECT_EQ(state_.version, 10u);
  EXPECT_EQ(state_.assignments.size(), 1u);
}

TEST_F(AppliedStateTest, InvalidIpv4AndForeignRackAreNacks) {
  auto bad_ip = Machine("ns/m1", "52:54:00:00:00:01");
  bad_ip.mutable_interfaces(0)->set_ipv4("10.0.0.300");
  EXPECT_EQ(Apply(Full(1, 1, {bad_ip})).kind, UpdateDecision::Kind::kNack);
  auto other_rack = Machine("ns/m1", "52:54:00:00:00:01");
  other_rack.set_rack("rack-b");
  EXPECT_EQ(Apply(Full(1, 1, {other_rack})).kind, UpdateDecision::Kind::kNack);
  EXPECT_EQ(state_.version, 0u);
}

TEST_F(AppliedStateTest, DuplicateMacAcrossMachinesIsNack) {
  Apply(Full(10, 1, {Machine("ns/m1", "52:54:00:00:00:01")}));
  auto d = Apply(Delta(10, 11, 1, {Machine("ns/m2", "52:54:00:00:00:01")}));
  EXPECT_EQ(d.kind, UpdateDecision::Kind::kNack);
  EXPECT_NE(d.error_detail.find("claimed by both"), std::string::npos);
  // Moving the MAC in the same delta (remove m1, add m2) is fine.
  EXPECT_EQ(Apply(Delta(10, 11, 1, {Machine("ns/m2", "52:54:00:00:00:01")}, {"ns/m1"})).kind,
            UpdateDecision::Kind::kApply);
}

TEST_F(AppliedStateTest, LowerEpochIgnored) {
  Apply(Full(10, 5, {Machine("ns/m1", "52:54:00:00:00:01")}));
  auto d = Apply(Full(20, 4, {}));
  EXPECT_EQ(d.kind, UpdateDecision::Kind::kNack);
  EXPECT_NE(d.error_detail.find("stale leader epoch"), std::string::npos);
  EXPECT_EQ(state_.version, 10u);
  EXPECT_EQ(state_.assignments.size(), 1u);
  // A higher epoch is accepted.
  EXPECT_EQ(Apply(Full(30, 6, {})).kind, UpdateDecision::Kind::kApply);
  EXPECT_EQ(state_.highest_epoch, 6u);
}

TEST_F(AppliedStateTest, DeltaOnWrongBaseAsksForResync) {
  Apply(Full(10, 1, {Machine("ns/m1", "52:54:00:00:00:01")}));
  EXPECT_EQ(Apply(Delta(9, 11, 1, {})).kind, UpdateDecision::Kind::kResync);
  EXPECT_EQ(Apply(Delta(10, 11, 2, {})).kind, UpdateDecision::Kind::kResync);  // other epoch
  EXPECT_EQ(state_.version, 10u);
}

TEST_F(AppliedStateTest, SnapshotRoundTrip) {
  Apply(Full(10, 3, {Machine("ns/m1", "52:54:00:00:00:01"), Machine("ns/m2", "52:54:00:00:00:02")}));
  std::vector<Assignment> loaded;
  auto back = StateFromSnapshot(state_.ToSnapshot(), "rack-a", &loaded);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->version, 10u);
  EXPECT_EQ(back->epoch, 3u);
  EXPECT_EQ(back->highest_epoch, 3u);
  EXPECT_EQ(loaded.size(), 2u);
  EXPECT_FALSE(StateFromSnapshot(state_.ToSnapshot(), "rack-b", nullptr).ok());
}

}  // namespace
}  // namespace rackboot::bootd::agent
