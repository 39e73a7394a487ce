#include "bootd/leases/lease_index.h"

#include <gtest/gtest.h>

namespace rackboot::bootd {
namespace {

Lease MakeLease(uint32_t ip, uint8_t mac_last, LeaseState state = LeaseState::kActive, std::string cid = "") {
  Lease lease;
  lease.ip = Ipv4Address(ip);
  lease.mac = MacAddress({2, 0, 0, 0, 0, mac_last});
  lease.client_id = std::move(cid);
  lease.state = state;
  return lease;
}

TEST(LeaseIndexTest, ReplacesByIp) {
  LeaseIndex index;
  index.Apply(MakeLease(10, 1, LeaseState::kActive, "cid-1"), 1);
  index.Apply(MakeLease(10, 2, LeaseState::kActive, "cid-2"), 2);
  EXPECT_EQ(index.size(), 1u);
  ASSERT_NE(index.FindByIp(Ipv4Address(10)), nullptr);
  EXPECT_EQ(index.FindByIp(Ipv4Address(10))->mac, MacAddress({2, 0, 0, 0, 0, 2}));
  // The replaced binding no longer answers for its MAC or client id.
  EXPECT_EQ(index.FindByMac(MacAddress({2, 0, 0, 0, 0, 1})), nullptr);
  EXPECT_EQ(index.FindByClientId("cid-1"), nullptr);
  ASSERT_NE(index.FindByClientId("cid-2"), nullptr);
  EXPECT_EQ(index.FindByClientId("cid-2")->ip, Ipv4Address(10));
}

TEST(LeaseIndexTest, FindByMacReturnsLatestActive) {
  LeaseIndex index;
  const MacAddress mac({2, 0, 0, 0, 0, 7});
  index.Apply(MakeLease(20, 7), 1);
  index.Apply(MakeLease(21, 7), 2);
  ASSERT_NE(index.FindByMac(mac), nullptr);
  EXPECT_EQ(index.FindByMac(mac)->ip, Ipv4Address(21));
  index.Apply(MakeLease(21, 7, LeaseState::kReleased), 3);
  ASSERT_NE(index.FindByMac(mac), nullptr);
  EXPECT_EQ(index.FindByMac(mac)->ip, Ipv4Address(20));  // an active lease outranks a newer released one
  index.Apply(MakeLease(20, 7, LeaseState::kDeclined), 4);
  // Nothing active: the latest lease in any state (its previous address).
  ASSERT_NE(index.FindByMac(mac), nullptr);
  EXPECT_EQ(index.FindByMac(mac)->ip, Ipv4Address(20));
  EXPECT_EQ(index.FindByMac(mac)->state, LeaseState::kDeclined);
  // Once another client takes the address, it is no longer this MAC's.
  index.Apply(MakeLease(20, 8), 5);
  ASSERT_NE(index.FindByMac(mac), nullptr);
  EXPECT_EQ(index.FindByMac(mac)->ip, Ipv4Address(21));
  index.Apply(MakeLease(21, 9), 6);
  EXPECT_EQ(index.FindByMac(mac), nullptr);
  index.Apply(MakeLease(22, 7, LeaseState::kReleased), 7);
  // Released and declined bindings stay visible by IP.
  ASSERT_NE(index.FindByIp(Ipv4Address(22)), nullptr);
  EXPECT_EQ(index.FindByIp(Ipv4Address(22))->state, LeaseState::kReleased);
  EXPECT_EQ(index.FindByMac(mac)->ip, Ipv4Address(22));
  EXPECT_EQ(index.size(), 3u);
}

TEST(LeaseIndexTest, InCommitOrderIsOldestFirst) {
  LeaseIndex index;
  index.Apply(MakeLease(30, 1), 5);
  index.Apply(MakeLease(10, 2), 6);
  index.Apply(MakeLease(20, 3), 7);
  index.Apply(MakeLease(30, 4), 8);
  const std::vector<Lease> order = index.InCommitOrder();
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0].ip, Ipv4Address(10));
  EXPECT_EQ(order[1].ip, Ipv4Address(20));
  EXPECT_EQ(order[2].ip, Ipv4Address(30));
  index.Erase(Ipv4Address(20));
  EXPECT_EQ(index.FindByMac(MacAddress({2, 0, 0, 0, 0, 3})), nullptr);
  EXPECT_EQ(index.size(), 2u);
}

}  // namespace
}  // namespace rackboot::bootd
