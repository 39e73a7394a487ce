// The boot lifecycle decision (resolve/netboot_decision.h) and how the
// resolver carries it into allow_pxe; that both doors agree on it is
// two_doors_golden_test.cc.

#include "resolve/netboot_decision.h"

#include <gtest/gtest.h>

#include "resolve/host_assignment_resolver.h"

namespace rackboot::resolve {
namespace {

MachineSpec BootOnce() {
  MachineSpec s;
  s.rack = "r1";
  s.boot_profile = "p";
  s.boot_once = true;
  s.interfaces.push_back({"52:54:00:00:00:01", "10.0.0.5", false, ""});
  return s;
}

TEST(NetbootDecisionTest, BootOnceNetbootsUntilTheMachineReportsBooted) {
  const NetbootDecision before = DecideNetboot(BootOnce(), true, "", std::nullopt);
  EXPECT_TRUE(before.allowed);
  EXPECT_EQ(before.reason, kNetbootAllowed);
  const NetbootDecision after = DecideNetboot(BootOnce(), true, "", ProvisionRecord{"", 1, 1000});
  EXPECT_FALSE(after.allowed);
  EXPECT_EQ(after.reason, kNetbootBootOnceCompleted);
  EXPECT_NE(after.message.find("rackboot.io/reprovision"), std::string::npos) << "says how to install again";
}

TEST(NetbootDecisionTest, ANewReprovisionValueNetbootsAgainOnceMore) {
  const ProvisionRecord old{"a", 1, 1000};
  EXPECT_TRUE(DecideNetboot(BootOnce(), true, "b", old).allowed) << "re-provision requested";
  EXPECT_TRUE(DecideNetboot(BootOnce(), true, "", old).allowed) << "removing the annotation is a change too";
  const NetbootDecision done = DecideNetboot(BootOnce(), true, "b", ProvisionRecord{"b", 1, 2000});
  EXPECT_FALSE(done.allowed) << "booted under the new value";
  EXPECT_NE(done.message.find("rackboot.io/reprovision=b"), std::string::npos) << done.message;
}

TEST(NetbootDecisionTest, ASpecEditAloneDoesNotReinstall) {
  // The record's generation is informational: a newer spec (generation 5)
  // with the same re-provision value stays installed.
  EXPECT_FALSE(DecideNetboot(BootOnce(), true, "", ProvisionRecord{"", 2, 1000}).allowed);
}

TEST(NetbootDecisionTest, WithoutBootOnceABootChangesNothing) {
  MachineSpec s = BootOnce();
  s.boot_once = false;
  EXPECT_TRUE(DecideNetboot(s, true, "", ProvisionRecord{"", 1, 1000}).allowed);
}

TEST(NetbootDecisionTest, AllowPxeOffAndNoProfileComeFirst) {
  MachineSpec s = BootOnce();
  s.allow_pxe = false;
  EXPECT_EQ(DecideNetboot(s, true, "", std::nullopt).reason, kNetbootPxeDisabled);
  EXPECT_EQ(DecideNetboot(BootOnce(), false, "", std::nullopt).reason, kNetbootNoBootProfile);
  EXPECT_FALSE(DecideNetboot(BootOnce(), false, "", std::nullopt).allowed);
}

TEST(NetbootDecisionTest, TheResolverCarriesTheDecisionAndTheRequest) {
  BootProfileSpec p;
  p.kernel.path = "k/vmlinuz";
  const MachineIdentity id{"m", "ns", 4, "token-7"};
  auto fresh = ResolveHostAssignment(id, BootOnce(), &p);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->allow_pxe());
  EXPECT_TRUE(fresh->boot_once());
  EXPECT_EQ(fresh->reprovision(), "token-7");
  const ProvisionRecord booted{"token-7", 4, 1000};
  auto done = ResolveHostAssignment(id, BootOnce(), &p, {}, {}, &booted);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(done->allow_pxe());
  EXPECT_TRUE(done->has_boot()) << "the boot target stays; only netbooting stops";
}

}  // namespace
}  // namespace rackboot::resolve
