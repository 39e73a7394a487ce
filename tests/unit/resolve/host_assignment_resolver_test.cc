// The resolver's own rules; that both doors agree is two_doors_golden_test.cc.

#include "resolve/host_assignment_resolver.h"

#include <gtest/gtest.h>

namespace rackboot::resolve {
namespace {

MachineSpec OneNic() {
  MachineSpec s;
  s.rack = "r1";
  s.boot_profile = "p";
  s.interfaces.push_back({"52:54:00:00:00:01", "10.0.0.5", false, "eth0"});
  return s;
}

BootProfileSpec Profile() {
  BootProfileSpec p;
  p.kernel.path = "k/vmlinuz";
  p.kernel.sha256 = "ABCDEF";
  p.cmdline = "console=ttyS0";
  return p;
}

TEST(HostAssignmentResolverTest, TheRackAddressWinsOverTheStaticOneOnThePrimaryOnly) {
  MachineSpec s = OneNic();
  s.interfaces.push_back({"52:54:00:00:00:02", "10.0.0.6", false, ""});
  const BootProfileSpec p = Profile();
  auto h = ResolveHostAssignment({"m", "ns", 2, ""}, s, &p, RackSettings{"10.0.0.99"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->machine_name(), "ns/m");
  EXPECT_EQ(h->interfaces(0).ipv4(), "10.0.0.99");
  EXPECT_TRUE(h->interfaces(0).primary()) << "no interface marked primary: the first one";
  EXPECT_EQ(h->interfaces(1).ipv4(), "10.0.0.6");
  EXPECT_EQ(h->boot().kernel().url(), "k/vmlinuz");
  EXPECT_EQ(h->boot().kernel().sha256(), "abcdef");
}

TEST(HostAssignmentResolverTest, RequiredParameterMustBeSet) {
  BootProfileSpec p = Profile();
  p.parameters.push_back({"role", std::nullopt, true, ""});
  MachineSpec s = OneNic();
  auto missing = ResolveHostAssignment({"m", "", 1, ""}, s, &p);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("parameter 'role' is required by BootProfile p"), std::string::npos);
  s.parameters["role"] = "db";
  EXPECT_TRUE(ResolveHostAssignment({"m", "", 1, ""}, s, &p).ok());
}

TEST(HostAssignmentResolverTest, WithoutAProfileTheMachineIsKnownButGetsNoBootFile) {
  MachineSpec s = OneNic();
  s.parameters["x"] = "1";
  auto h = ResolveHostAssignment({"m", "", 1, ""}, s, nullptr);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->allow_pxe());
  EXPECT_FALSE(h->has_boot());
  EXPECT_EQ(h->parameters().at("x"), "1");
}

TEST(HostAssignmentResolverTest, RefusesAMacThatIsNotOne) {
  MachineSpec s = OneNic();
  s.interfaces[0].mac = "not-a-mac";
  const BootProfileSpec p = Profile();
  auto h = ResolveHostAssignment({"m", "", 1, ""}, s, &p);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("not-a-mac"), std::string::npos);
}

}  // namespace
}  // namespace rackboot::resolve
