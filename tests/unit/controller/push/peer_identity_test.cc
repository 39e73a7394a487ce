#include "controller/push/peer_identity.h"

#include <gtest/gtest.h>

namespace rackboot::controller::push {
namespace {

TEST(PeerIdentityTest, ParsesRackFromIdentity) {
  EXPECT_EQ(RackFromIdentity("bootd:rack-a"), "rack-a");
  EXPECT_EQ(RackFromIdentity("bootd:r1"), "r1");
  EXPECT_FALSE(RackFromIdentity("rack-a"));
  EXPECT_FALSE(RackFromIdentity("bootd:"));
  EXPECT_FALSE(RackFromIdentity("bootd:Rack-A"));
  EXPECT_FALSE(RackFromIdentity("bootd:rack/a"));
  EXPECT_FALSE(RackFromIdentity("bootd:-a"));
  EXPECT_FALSE(RackFromIdentity("controller:rack-a"));
}

TEST(PeerIdentityTest, OneRackAcrossCnAndSans) {
  auto r = RackFromIdentities({"bootd:rack-a", "bootd:rack-a", "rack-a.example"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "rack-a");
}

TEST(PeerIdentityTest, NoIdentityOrTwoRacksRejected) {
  EXPECT_FALSE(RackFromIdentities({}).ok());
  EXPECT_FALSE(RackFromIdentities({"controller", "localhost"}).ok());
  EXPECT_FALSE(RackFromIdentities({"bootd:rack-a", "bootd:rack-b"}).ok());
}

}  // namespace
}  // namespace rackboot::controller::push
