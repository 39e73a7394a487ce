// AssignmentStore applies a whole update in one swap: readers running
// during large deltas see the old set or the new set, never a mix.

#include "bootd/assignments/assignment_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace rackboot::bootd {
namespace {

constexpr int kMachines = 1500;  // per generation
constexpr int kGenerations = 40;

MacAddress MacOf(int generation, int i) {
  char text[18];
  std::snprintf(text, sizeof text, "52:54:%02x:%02x:%02x:%02x", generation & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff,
                i & 0xff);
  return *MacAddress::Parse(text);
}

Assignment MachineOf(int generation, int i) {
  Assignment a;
  a.machine_name = "g" + std::to_string(generation) + "-m" + std::to_string(i);
  a.generation = static_cast<uint64_t>(generation);
  a.interfaces.push_back({MacOf(generation, i), std::nullopt, true});
  return a;
}

// Generation g replaces every machine of g-1: kMachines removals and
// kMachines upserts in one delta. Half-applied, All() would hold machines of
// both generations, or fewer than kMachines.
std::vector<std::string> Mixes(const std::vector<AssignmentStore::Ptr>& all) {
  std::vector<std::string> problems;
  if (all.size() != static_cast<size_t>(kMachines)) problems.push_back("size " + std::to_string(all.size()));
  for (const auto& a : all) {
    if (a->generation != all.front()->generation) {
      problems.push_back(a->machine_name + " next to generation " + std::to_string(all.front()->generation));
      break;
    }
  }
  return problems;
}

TEST(AssignmentStoreTest, ReadersNeverSeeHalfADelta) {
  AssignmentStore store;
  std::vector<Assignment> first;
  for (int i = 0; i < kMachines; ++i) first.push_back(MachineOf(0, i));
  store.ReplaceAll(std::move(first));

  std::atomic<bool> done{false};
  std::atomic<int> mixes{0};
  std::atomic<uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const auto all = store.All();
        ++reads;
        if (!Mixes(all).empty()) ++mixes;
        if (all.empty()) continue;
        // A MAC of the newest generation, once visible, belongs to a machine
        // of that generation (the indexes swap together with the names).
        const uint64_t newest = all.front()->generation;
        auto by_mac = store.FindByMac(MacOf(static_cast<int>(newest), kMachines - 1));
        if (by_mac && by_mac->generation < newest) ++mixes;
      }
    });
  }
  for (int g = 1; g <= kGenerations; ++g) {
    std::vector<std::string> removals;
    std::vector<Assignment> upserts;
    for (int i = 0; i < kMachines; ++i) {
      removals.push_back("g" + std::to_string(g - 1) + "-m" + std::to_string(i));
      upserts.push_back(MachineOf(g, i));
    }
    store.Apply(removals, std::move(upserts));
  }
  done = true;
  for (auto& t : readers) t.join();

  EXPECT_EQ(mixes.load(), 0) << "after " << reads.load() << " reads";
  EXPECT_TRUE(Mixes(store.All()).empty());
  EXPECT_EQ(store.All().front()->generation, static_cast<uint64_t>(kGenerations));
  EXPECT_EQ(store.FindByMac(MacOf(0, 0)), nullptr) << "the first generation's MACs left with it";
}

TEST(AssignmentStoreTest, ApplyRemovesThenUpsertsAndKeepsTheDefault) {
  AssignmentStore store;
  Assignment fallback;
  fallback.boot.profile_name = "default";
  store.SetDefault(fallback);
  store.ReplaceAll({MachineOf(1, 1), MachineOf(1, 2)});
  const uint64_t before = store.revision();

  // Removing and re-adding one name in the same delta keeps the new one.
  store.Apply({"g1-m1", "g1-m2"}, {MachineOf(1, 1)});

  EXPECT_EQ(store.revision(), before + 1) << "one delta, one change";
  ASSERT_EQ(store.size(), 1u);
  EXPECT_EQ(store.FindByName("g1-m1")->machine_name, "g1-m1");
  EXPECT_EQ(store.FindByMac(MacOf(1, 2))->boot.profile_name, "default") << "an unknown MAC gets the default";
  EXPECT_EQ(store.FindByName("g1-m2"), nullptr);
}

TEST(AssignmentStoreTest, UpsertMovesAMacToItsNewOwner) {
  AssignmentStore store;
  Assignment a = MachineOf(1, 1);
  store.Upsert(a);
  a.interfaces[0].mac = MacOf(1, 9);
  store.Upsert(a);
  EXPECT_EQ(store.FindByMac(MacOf(1, 1)), nullptr) << "the old MAC is unindexed";
  EXPECT_EQ(store.FindByMac(MacOf(1, 9))->machine_name, "g1-m1");
}

}  // namespace
}  // namespace rackboot::bootd
