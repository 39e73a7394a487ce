// The whole controller -> bootd path with real processes: rackboot-controller
// against the test apiserver (fixture "k8s") with its mTLS push server, and
// a real bootd in controller mode. Machines applied with kubectl must reach
// bootd's persisted snapshot; a profile change and a delete must follow.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bootd/agent/snapshot_file.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/child_process.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

class PushWireTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "make_test_pki.sh"; }
  std::string Pki(const std::string& f) const { return pki_.File(f); }

  TestPki pki_{"wire"};
  const std::string& dir_ = pki_.dir();
};

// The assignment bootd persisted for `machine` ("ns/name"); nullopt if none.
std::optional<v1alpha1::HostAssignment> InSnapshot(const std::string& snap, const std::string& machine) {
  auto s = bootd::agent::ReadSnapshotFile(snap);
  if (!s.ok()) return std::nullopt;
  for (const auto& a : s->assignments()) {
    if (a.machine_name() == machine) return a;
  }
  return std::nullopt;
}

TEST_F(PushWireTest, MachineAssignmentReachesBootdAndFollowsChangesAndDelete) {
  TestNamespace ns("wire");
  const int port = FreeLoopbackPort();
  const std::string controller_config =
      "namespace: " + ns.name() +
      "\nleaderElection:\n  enabled: true\n  leaseName: rackboot-controller\n  leaseNamespace: " + ns.name() +
      "\n  leaseDurationSeconds: 4\n  renewDeadlineSeconds: 3\n  retryPeriodSeconds: 1\n"
      "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.109}\n"
      "grpc:\n  listen: 127.0.0.1:" +
      std::to_string(port) + "\n  tls:\n    caFile: " + Pki("ca.pem") + "\n    certFile: " + Pki("controller.pem") +
      "\n    keyFile: " + Pki("controller.key") + "\n";
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p2", "console=ttyS1")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:0a:01", "p1")).exit_code, 0);
  ControllerProcess controller("wire", controller_config);

  const std::string bootd_config = dir_ + "/bootd.yaml";
  const std::string snap = dir_ + "/assignments.snap";
  {
    std::ofstream out(bootd_config);
    out << "rack: rack-a\nlogLevel: info\nstateDir: " << dir_ << "\ncontroller:\n  address: 127.0.0.1:" << port
        << "\n  caFile: " << Pki("ca.pem") << "\n  certFile: " << Pki("bootd-rack-a.pem")
        << "\n  keyFile: " << Pki("bootd-rack-a.key") << "\n";
  }
  BootdProcess bootd(bootd_config, dir_ + "/bootd.log");
  const std::string key = ns.name() + "/m1";

  // Resolved: pool address, the profile's kernel and cmdline.
  ASSERT_TRUE(WaitUntil([&] {
    auto a = InSnapshot(snap, key);
    return a && a->interfaces_size() == 1 && !a->interfaces(0).ipv4().empty();
  })) << controller.Log()
      << bootd.Log();
  auto a = InSnapshot(snap, key);
  EXPECT_EQ(a->rack(), "rack-a");
  EXPECT_EQ(a->interfaces(0).mac(), "52:54:00:00:0a:01");
  EXPECT_EQ(a->interfaces(0).ipv4().rfind("10.0.0.10", 0), 0u) << a->interfaces(0).ipv4();
  EXPECT_EQ(a->boot().profile_name(), "p1");
  EXPECT_EQ(a->boot().kernel().url(), "http://192.0.2.10/vmlinuz");
  EXPECT_EQ(a->boot().cmdline_template(), "console=ttyS0");

  // Profile changed on the Machine.
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:0a:01", "p2")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] {
    auto b = InSnapshot(snap, key);
    return b && b->boot().profile_name() == "p2" && b->boot().cmdline_template() == "console=ttyS1";
  })) << controller.Log()
      << bootd.Log();

  // The BootProfile itself changed.
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p2", "console=ttyS2")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] {
    auto b = InSnapshot(snap, key);
    return b && b->boot().cmdline_template() == "console=ttyS2";
  })) << controller.Log()
      << bootd.Log();

  // Deleted: gone from bootd.
  ASSERT_EQ(Kubectl("delete machine -n " + ns.name() + " m1 --timeout=60s").exit_code, 0) << controller.Log();
  ASSERT_TRUE(WaitUntil([&] {
    auto s = bootd::agent::ReadSnapshotFile(snap);
    return s.ok() && !InSnapshot(snap, key);
  })) << controller.Log()
      << bootd.Log();
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

}  // namespace
}  // namespace rackboot::testing
