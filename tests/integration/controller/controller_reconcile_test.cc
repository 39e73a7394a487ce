// rackboot-controller against the real test apiserver (fixture "k8s"):
// Machines get addresses and conditions, BootProfile changes fan out,
// deletes release addresses through the finalizer, a missing profile is a
// condition. Objects live in a namespace per test; the controller watches
// only that namespace.
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/controller/kube_test_env.h"

namespace rackboot::testing {
namespace {

web::json::value GetMachine(const std::string& ns, const std::string& name) {
  return KubectlJson("get machine -n " + ns + " " + name);
}

bool PhaseIs(const std::string& ns, const std::string& name, const std::string& phase) {
  return StatusField(GetMachine(ns, name), "phase") == phase;
}

TEST(ControllerReconcileTest, CreateUpdateDeleteReleasesTheAddress) {
  TestNamespace ns("reconcile");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "ubuntu", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:01:01", "ubuntu")).exit_code, 0);
  ControllerProcess controller("reconcile", TestControllerConfig(ns.name()));

  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Assigned"); })) << controller.Log();
  auto m1 = GetMachine(ns.name(), "m1");
  EXPECT_EQ(StatusField(m1, "ipv4"), "10.0.0.100");
  EXPECT_EQ(ConditionStatus(m1, "ProfileResolved"), "True");
  EXPECT_EQ(ConditionReason(m1, "Assigned"), "AllocatedFromPool");
  EXPECT_EQ(StatusField(m1, "observedGeneration"), m1.at("metadata").at("generation").serialize());
  EXPECT_NE(m1.at("metadata").at("finalizers").serialize().find("rackboot.io/ip-release"), std::string::npos);
  auto events = Kubectl("get events -n " + ns.name() + " --field-selector involvedObject.name=m1");
  EXPECT_NE(events.output.find("AllocatedFromPool"), std::string::npos) << events.output;

  // A second Machine gets the next address.
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m2", "52:54:00:00:01:02", "ubuntu")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m2", "Assigned"); })) << controller.Log();
  EXPECT_EQ(StatusField(GetMachine(ns.name(), "m2"), "ipv4"), "10.0.0.101");

  // Update: m1 switches to a static address; its pool address is released.
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:01:01", "ubuntu", "rack-a", "10.0.0.7"))
                .exit_code,
            0);
  ASSERT_TRUE(WaitUntil([&] { return StatusField(GetMachine(ns.name(), "m1"), "ipv4") == "10.0.0.7"; }))
      << controller.Log();
  EXPECT_EQ(ConditionReason(GetMachine(ns.name(), "m1"), "Assigned"), "StaticIP");

  // Delete m2: the finalizer releases 10.0.0.101 and lets the object go.
  ASSERT_EQ(Kubectl("delete machine -n " + ns.name() + " m2 --timeout=60s").exit_code, 0) << controller.Log();
  EXPECT_TRUE(GetMachine(ns.name(), "m2").is_null());

  // Both released addresses come back, lowest first.
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m3", "52:54:00:00:01:03", "ubuntu")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m3", "Assigned"); })) << controller.Log();
  EXPECT_EQ(StatusField(GetMachine(ns.name(), "m3"), "ipv4"), "10.0.0.100");
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

// A rack listed without a pool runs ProxyDHCP (the chart renders it so for
// dhcp.mode proxy): its Machines are Ready without an address of ours.
TEST(ControllerReconcileTest, RackWithoutPoolLeavesTheAddressToTheSiteDhcp) {
  TestNamespace ns("sitedhcp");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "ubuntu", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "p1", "52:54:00:00:05:01", "ubuntu", "rack-p")).exit_code, 0);
  ControllerProcess controller("sitedhcp", TestControllerConfig(ns.name()) + "- name: rack-p\n");

  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "p1", "Assigned"); })) << controller.Log();
  auto p1 = GetMachine(ns.name(), "p1");
  EXPECT_EQ(ConditionReason(p1, "Assigned"), "SiteDhcp");
  EXPECT_EQ(StatusField(p1, "ipv4"), "") << "no address invented for a ProxyDHCP rack";
  EXPECT_EQ(ConditionStatus(p1, "Ready"), "True");
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

TEST(ControllerReconcileTest, MissingProfileIsAConditionThenProfileChangesFanOut) {
  TestNamespace ns("fanout");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "f" + std::to_string(i),
                                                "52:54:00:00:02:0" + std::to_string(i), "pxe-profile"))
                  .exit_code,
              0);
  }
  ControllerProcess controller("fanout", TestControllerConfig(ns.name()));
  ASSERT_TRUE(WaitUntil([&] {
    auto m = GetMachine(ns.name(), "f0");
    return ConditionReason(m, "ProfileResolved") == "ProfileNotFound";
  })) << controller.Log();
  auto f0 = GetMachine(ns.name(), "f0");
  EXPECT_EQ(StatusField(f0, "phase"), "Pending");
  EXPECT_NE(ConditionMessage(f0, "ProfileResolved").find("'pxe-profile' does not exist"), std::string::npos);
  auto events = Kubectl("get events -n " + ns.name() + " --field-selector reason=ProfileNotFound");
  EXPECT_NE(events.output.find("ProfileNotFound"), std::string::npos) << events.output;

  // The profile appears: every Machine using it resolves.
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "pxe-profile", "console=ttyS0")).exit_code, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "f" + std::to_string(i), "Assigned"); })) << controller.Log();
  }
  // The profile changes (generation 2): every Machine re-resolves.
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "pxe-profile", "console=ttyS1")).exit_code, 0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitUntil([&] {
      return ConditionMessage(GetMachine(ns.name(), "f" + std::to_string(i)), "ProfileResolved").find("generation 2") !=
             std::string::npos;
    })) << "f"
        << i << "\n"
        << controller.Log();
  }
  std::set<std::string> ips;
  for (int i = 0; i < 3; ++i) ips.insert(StatusField(GetMachine(ns.name(), "f" + std::to_string(i)), "ipv4"));
  EXPECT_EQ(ips.size(), 3u);
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

TEST(ControllerReconcileTest, DuplicateMacAcrossMachinesIsACondition) {
  TestNamespace ns("dupmac");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "d1", "52:54:00:00:08:01", "p")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "d2", "52-54-00-00-08-01", "p")).exit_code, 0);
  ControllerProcess controller("dupmac", TestControllerConfig(ns.name()));
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "d1", "Assigned"); })) << controller.Log();
  ASSERT_TRUE(WaitUntil([&] { return ConditionReason(GetMachine(ns.name(), "d2"), "Assigned") == "DuplicateMAC"; }))
      << controller.Log();
  EXPECT_EQ(StatusField(GetMachine(ns.name(), "d2"), "phase"), "Pending");
  EXPECT_EQ(StatusField(GetMachine(ns.name(), "d2"), "ipv4"), "");
  // The older Machine goes away: the NIC is free, d2 gets an address.
  ASSERT_EQ(Kubectl("delete machine -n " + ns.name() + " d1 --timeout=60s").exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "d2", "Assigned"); })) << controller.Log();
}

TEST(ControllerReconcileTest, ApiserverRestartDuringWatchIsSurvived) {
  const char* dir = std::getenv("K8S_TESTENV_DIR");
  const char* src = std::getenv("RACKBOOT_SOURCE_DIR");
  ASSERT_TRUE(dir && src);
  TestNamespace ns("restart");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "r1", "52:54:00:00:03:01", "p")).exit_code, 0);
  // Without leader election: with the tests' 3 s renew deadline the leader
  // would (correctly) exit during the outage; here we test the watches.
  std::string config = TestControllerConfig(ns.name());
  config.replace(config.find("enabled: true"), 13, "enabled: false");
  ControllerProcess controller("restart", config);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "r1", "Assigned"); })) << controller.Log();

  const std::string restart = std::string(src) + "/scripts/k8s-testenv/restart-apiserver " + dir + " 1";
  ASSERT_EQ(std::system(restart.c_str()), 0);
  // Made after the restart: only a re-established watch delivers it.
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "r2", "52:54:00:00:03:02", "p")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "r2", "Assigned"); }, std::chrono::seconds(90)))
      << controller.Log();
  EXPECT_EQ(StatusField(GetMachine(ns.name(), "r2"), "ipv4"), "10.0.0.101");
  EXPECT_TRUE(controller.Running()) << controller.Log();
  EXPECT_NE(controller.Log().find("watch"), std::string::npos) << "the watch break is logged";
}

}  // namespace
}  // namespace rackboot::testing
