#include "controller/reconcile/ip_allocator.h"

#include <gtest/gtest.h>

#include <set>

namespace rackboot::controller {
namespace {

Ipv4Address Ip(const char* s) {
  return *Ipv4Address::Parse(s);
}

RackNetwork Rack(const char* name, const char* start, const char* end) {
  RackNetwork r;
  r.name = name;
  r.subnet = *Ipv4Prefix::Parse("10.0.0.0/16");
  r.pool_start = Ip(start);
  r.pool_end = Ip(end);
  return r;
}

TEST(IpAllocatorTest, HandsOutLowestFreeAndNeverTwice) {
  IpAllocator a({Rack("r1", "10.0.0.10", "10.0.0.13")});
  const RackNetwork& r = *a.Rack("r1");
  std::set<Ipv4Address> seen;
  for (int i = 0; i < 4; ++i) {
    auto ip = a.NextFree(r);
    ASSERT_TRUE(ip);
    EXPECT_TRUE(seen.insert(*ip).second);
    EXPECT_TRUE(a.Claim(*ip, "ns/m" + std::to_string(i)));
  }
  EXPECT_EQ(*seen.begin(), Ip("10.0.0.10"));
  EXPECT_FALSE(a.NextFree(r)) << "pool exhausted";
  a.Release("ns/m1");
  EXPECT_EQ(*a.NextFree(r), Ip("10.0.0.11")) << "released address is reusable";
}

TEST(IpAllocatorTest, ClaimByAnotherOwnerFails) {
  IpAllocator a({});
  EXPECT_TRUE(a.Claim(Ip("10.0.0.5"), "ns/a"));
  EXPECT_TRUE(a.Claim(Ip("10.0.0.5"), "ns/a")) << "idempotent for the owner";
  EXPECT_FALSE(a.Claim(Ip("10.0.0.5"), "ns/b"));
  EXPECT_EQ(*a.Owner(Ip("10.0.0.5")), "ns/a");
  a.ReleaseIp(Ip("10.0.0.5"), "ns/b");
  EXPECT_TRUE(a.Owner(Ip("10.0.0.5"))) << "only the owner releases";
  a.ReleaseIp(Ip("10.0.0.5"), "ns/a");
  EXPECT_FALSE(a.Owner(Ip("10.0.0.5")));
  EXPECT_TRUE(a.OwnedBy("ns/a").empty());
}

TEST(IpAllocatorTest, StaticAddressesInsideThePoolAreSkipped) {
  IpAllocator a({Rack("r1", "10.0.0.10", "10.0.0.12")});
  a.Claim(Ip("10.0.0.10"), "ns/static");
  a.Claim(Ip("10.0.0.99"), "ns/outside");  // outside the pool: irrelevant
  EXPECT_EQ(*a.NextFree(*a.Rack("r1")), Ip("10.0.0.11"));
}

TEST(IpAllocatorTest, PoolAtTopOfAddressSpaceTerminates) {
  IpAllocator a({Rack("top", "255.255.255.254", "255.255.255.255")});
  a.Claim(Ip("255.255.255.254"), "a");
  a.Claim(Ip("255.255.255.255"), "b");
  EXPECT_FALSE(a.NextFree(*a.Rack("top")));
}

}  // namespace
}  // namespace rackboot::controller
