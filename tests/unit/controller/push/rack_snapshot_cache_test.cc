#include "controller/push/rack_snapshot_cache.h"

#include <gtest/gtest.h>

#include "tests/unit/controller/push/test_assignments.h"

namespace rackboot::controller::push {
namespace {

using testing::Machine;

std::vector<std::string> Names(const PlannedUpdate& p) {
  std::vector<std::string> out;
  for (const auto& a : p.upserts) out.push_back(a.machine_name());
  return out;
}

TEST(RackSnapshotCacheTest, FreshBootdGetsFullSnapshot) {
  RackSnapshotCache cache(1000);
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  cache.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02"));
  auto plan = cache.Plan("rack-a", 0, 0);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->full_snapshot);
  EXPECT_EQ(plan->version, 1002u);
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"ns/m1", "ns/m2"}));
}

TEST(RackSnapshotCacheTest, CurrentBootdGetsNothing) {
  RackSnapshotCache cache(1000);
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  EXPECT_FALSE(cache.Plan("rack-a", 1001, 0));
}

TEST(RackSnapshotCacheTest, DeltaCarriesOnlyChangedMachines) {
  RackSnapshotCache cache(1000);
  for (int i = 0; i < 10; ++i)
    cache.Upsert("rack-a", Machine("ns/m" + std::to_string(i), "52:54:00:00:00:1" + std::to_string(i)));
  const uint64_t v = cache.Version("rack-a");
  cache.Upsert("rack-a", Machine("ns/m3", "52:54:00:00:00:13", "10.0.0.3"));
  cache.Remove("rack-a", "ns/m7");
  auto plan = cache.Plan("rack-a", v, 0);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->full_snapshot);
  EXPECT_EQ(plan->base_version, v);
  EXPECT_EQ(plan->version, v + 2);
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"ns/m3"}));
  EXPECT_EQ(plan->removals, (std::vector<std::string>{"ns/m7"}));
}

TEST(RackSnapshotCacheTest, UnchangedUpsertDoesNotBumpVersion) {
  RackSnapshotCache cache(1000);
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  const uint64_t v = cache.Version("rack-a");
  int notified = 0;
  cache.SetChangeListener([&](const std::string&) { ++notified; });
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  cache.Remove("rack-a", "ns/unknown");
  EXPECT_EQ(cache.Version("rack-a"), v);
  EXPECT_EQ(notified, 0);
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:09"));
  EXPECT_EQ(cache.Version("rack-a"), v + 1);
  EXPECT_EQ(notified, 1);
}

TEST(RackSnapshotCacheTest, SetRackDiffsAgainstCurrentState) {
  RackSnapshotCache cache(1000);
  cache.SetRack("rack-a",
                {{"ns/m1", Machine("ns/m1", "52:54:00:00:00:01")}, {"ns/m2", Machine("ns/m2", "52:54:00:00:00:02")}});
  const uint64_t v = cache.Version("rack-a");
  EXPECT_EQ(v, 1001u);  // one version for the whole batch
  // Relist: m1 same, m2 gone, m3 new.
  cache.SetRack("rack-a",
                {{"ns/m1", Machine("ns/m1", "52:54:00:00:00:01")}, {"ns/m3", Machine("ns/m3", "52:54:00:00:00:03")}});
  auto plan = cache.Plan("rack-a", v, 0);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(plan->full_snapshot);
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"ns/m3"}));
  EXPECT_EQ(plan->removals, (std::vector<std::string>{"ns/m2"}));
  // The same list again changes nothing.
  cache.SetRack("rack-a",
                {{"ns/m1", Machine("ns/m1", "52:54:00:00:00:01")}, {"ns/m3", Machine("ns/m3", "52:54:00:00:00:03")}});
  EXPECT_EQ(cache.Version("rack-a"), v + 1);
}

TEST(RackSnapshotCacheTest, RacksAreIsolated) {
  RackSnapshotCache cache(1000);
  cache.Upsert("rack-a", Machine("ns/a1", "52:54:00:00:00:01"));
  cache.Upsert("rack-b", Machine("ns/b1", "52:54:00:00:00:02"));
  auto plan = cache.Plan("rack-b", 0, 0);
  ASSERT_TRUE(plan);
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"ns/b1"}));
}

TEST(RackSnapshotCacheTest, EpochChangeForcesFullSnapshot) {
  RackSnapshotCache cache(1000);
  cache.SetLeaderEpoch(3);
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  const uint64_t v = cache.Version("rack-a");
  EXPECT_FALSE(cache.Plan("rack-a", v, 3));
  cache.SetLeaderEpoch(4);
  auto plan = cache.Plan("rack-a", v, 3);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->full_snapshot);
  EXPECT_EQ(cache.leader_epoch(), 4u);
}

TEST(RackSnapshotCacheTest, VersionFromBeforeRestartGetsFullSnapshot) {
  // A restarted controller seeds later versions; the bootd's old version is
  // below the new seed, so no delta can be trusted.
  RackSnapshotCache old_cache(1000);
  old_cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  RackSnapshotCache restarted(5000);
  restarted.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  auto plan = restarted.Plan("rack-a", old_cache.Version("rack-a"), 0);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->full_snapshot);
  EXPECT_GT(plan->version, old_cache.Version("rack-a"));
}

TEST(RackSnapshotCacheTest, DefaultSeedIsWallClock) {
  RackSnapshotCache a;
  RackSnapshotCache b;
  EXPECT_GT(a.Version("x"), 1'600'000'000'000'000u);  // microseconds since 2020
  EXPECT_LE(a.Version("x"), b.Version("x"));
}

TEST(RackSnapshotCacheTest, TombstoneEvictionFallsBackToFullSnapshot) {
  RackSnapshotCache cache(1000, /*max_tombstones=*/2);
  for (int i = 0; i < 5; ++i)
    cache.Upsert("rack-a", Machine("ns/m" + std::to_string(i), "52:54:00:00:00:0" + std::to_string(i)));
  const uint64_t before = cache.Version("rack-a");
  cache.Remove("rack-a", "ns/m0");
  cache.Remove("rack-a", "ns/m1");
  cache.Remove("rack-a", "ns/m2");  // evicts the tombstone of m0
  auto plan = cache.Plan("rack-a", before, 0);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->full_snapshot);
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"ns/m3", "ns/m4"}));
  // A bootd that saw the first removal can still get a delta.
  auto delta = cache.Plan("rack-a", before + 1, 0);
  ASSERT_TRUE(delta);
  EXPECT_FALSE(delta->full_snapshot);
  EXPECT_EQ(delta->removals, (std::vector<std::string>{"ns/m1", "ns/m2"}));
}

TEST(RackSnapshotCacheTest, ReAddedMachineLeavesTombstones) {
  RackSnapshotCache cache(1000);
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
  const uint64_t v = cache.Version("rack-a");
  cache.Remove("rack-a", "ns/m1");
  cache.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:02"));
  auto plan = cache.Plan("rack-a", v, 0);
  ASSERT_TRUE(plan);
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"ns/m1"}));
  EXPECT_TRUE(plan->removals.empty());
}

}  // namespace
}  // namespace rackboot::controller::push
