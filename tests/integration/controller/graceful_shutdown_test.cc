// rackboot-controller stopped as Kubernetes stops a pod (SIGTERM) while
// bootds hold push streams: it exits 0 without an abort, ends the streams
// with UNAVAILABLE (not a cancelled call), releases its Lease so the standby
// leads at once, and the bootds reconnect to the standby, which pushes to
// them. Real processes: the test apiserver (fixture "k8s"), two controller
// replicas, two bootds in controller mode (racks a and b).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bootd/agent/snapshot_file.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/child_process.h"

namespace rackboot::testing {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

std::string LeaseHolder(const std::string& ns) {
  auto lease = KubectlJson("get lease -n " + ns + " rackboot-controller");
  if (lease.is_null() || !lease.at("spec").has_field("holderIdentity")) return "";
  return lease.at("spec").at("holderIdentity").as_string();
}

class GracefulShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "make_test_pki.sh"; }
  std::string Pki(const std::string& f) const { return pki_.File(f); }

  // A lease far longer than the test waits: a standby that leads soon after
  // the leader's SIGTERM can only have been handed the lease by its release.
  std::string ControllerConfig(const std::string& ns, int port) const {
    return "namespace: " + ns +
           "\nleaderElection:\n  enabled: true\n  leaseName: rackboot-controller\n  leaseNamespace: " + ns +
           "\n  leaseDurationSeconds: 300\n  renewDeadlineSeconds: 200\n  retryPeriodSeconds: 1\n"
           "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.109}\n"
           "- name: rack-b\n  subnet: 10.0.1.0/24\n  pool: {start: 10.0.1.100, end: 10.0.1.109}\n"
           "grpc:\n  listen: 127.0.0.1:" +
           std::to_string(port) + "\n  tls:\n    caFile: " + Pki("ca.pem") +
           "\n    certFile: " + Pki("controller.pem") + "\n    keyFile: " + Pki("controller.key") + "\n";
  }

  std::string BootdConfig(const std::string& rack, int port) const {
    const std::string state = dir_ + "/" + rack;
    std::filesystem::create_directories(state);
    const std::string path = state + "/bootd.yaml";
    std::ofstream(path) << "rack: " << rack << "\nlogLevel: info\nstateDir: " << state
                        << "\ncontroller:\n  address: 127.0.0.1:" << port << "\n  caFile: " << Pki("ca.pem")
                        << "\n  certFile: " << Pki("bootd-" + rack + ".pem")
                        << "\n  keyFile: " << Pki("bootd-" + rack + ".key") << "\n";
    return path;
  }

  // The address bootd persisted for `machine` ("ns/name"), "" if none.
  std::string SnapshotIp(const std::string& rack, const std::string& machine) const {
    auto s = bootd::agent::ReadSnapshotFile(dir_ + "/" + rack + "/assignments.snap");
    if (!s.ok()) return "";
    for (const auto& a : s->assignments()) {
      if (a.machine_name() == machine && a.interfaces_size() > 0) return a.interfaces(0).ipv4();
    }
    return "";
  }

  TestPki pki_{"stop"};
  const std::string& dir_ = pki_.dir();
};

TEST_F(GracefulShutdownTest, SigtermEndsStreamsReleasesLeaseAndBootdsFollowTheStandby) {
  TestNamespace ns("stop");
  const int port = FreeLoopbackPort();
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "a1", "52:54:00:00:0b:01", "p", "rack-a")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "b1", "52:54:00:00:0b:02", "p", "rack-b")).exit_code, 0);

  auto leader = std::make_unique<ControllerProcess>("stop-a", ControllerConfig(ns.name(), port));
  ASSERT_TRUE(WaitUntil([&] { return leader->Log().find("became leader") != std::string::npos; })) << leader->Log();
  BootdProcess bootd_a(BootdConfig("rack-a", port), dir_ + "/bootd-a.log");
  BootdProcess bootd_b(BootdConfig("rack-b", port), dir_ + "/bootd-b.log");
  ASSERT_TRUE(WaitUntil([&] {
    return !SnapshotIp("rack-a", ns.name() + "/a1").empty() && !SnapshotIp("rack-b", ns.name() + "/b1").empty();
  })) << leader->Log()
      << bootd_a.Log() << bootd_b.Log();
  ASSERT_EQ(Count(leader->Log(), "msg=\"bootd connected\""), 2u) << leader->Log();
  const std::string leader_id = LeaseHolder(ns.name());
  ASSERT_FALSE(leader_id.empty());

  ControllerProcess standby("stop-b", ControllerConfig(ns.name(), port));
  ASSERT_TRUE(WaitUntil([&] { return standby.Log().find("listed") != std::string::npos; })) << standby.Log();
  ASSERT_EQ(standby.Log().find("became leader"), std::string::npos) << "the leader still holds the lease";

  // SIGTERM with both streams open.
  const std::string before = leader->Log();
  const int exit_code = leader->Kill(SIGTERM);
  const std::string log = leader->Log();
  EXPECT_EQ(exit_code, 0) << log;
  EXPECT_EQ(log.find("assertion failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("AddressSanitizer"), std::string::npos) << log;
  EXPECT_NE(log.find("component=push msg=stopped streams_closed=2"), std::string::npos) << log;
  EXPECT_NE(log.find("msg=\"released lease\""), std::string::npos) << log;
  EXPECT_NE(log.find("msg=\"shut down\""), std::string::npos) << log;
  // Released before the process ended: nobody holds the leader's lease now.
  EXPECT_NE(LeaseHolder(ns.name()), leader_id);

  // The standby leads long before the 300 s lease could have expired, and
  // both bootds reconnect to it (same address: only the leader listens).
  ASSERT_TRUE(WaitUntil([&] { return standby.Log().find("became leader") != std::string::npos; })) << standby.Log();
  ASSERT_TRUE(WaitUntil([&] { return Count(standby.Log(), "msg=\"bootd connected\"") == 2; }))
      << standby.Log() << bootd_a.Log() << bootd_b.Log();
  for (const BootdProcess* b : {&bootd_a, &bootd_b}) {
    const std::string blog = b->Log();
    EXPECT_NE(blog.find("controller shutting down"), std::string::npos) << "stream ended with UNAVAILABLE\n" << blog;
  }
  // The new leader pushes: a change reaches rack-b's bootd.
  ASSERT_EQ(
      Kubectl("apply -f -", MachineYaml(ns.name(), "b1", "52:54:00:00:0b:02", "p", "rack-b", "10.0.1.50")).exit_code,
      0);
  EXPECT_TRUE(WaitUntil([&] { return SnapshotIp("rack-b", ns.name() + "/b1") == "10.0.1.50"; }))
      << standby.Log() << bootd_b.Log();
  EXPECT_EQ(bootd_a.Stop(), 0) << bootd_a.Log();
  EXPECT_EQ(bootd_b.Stop(), 0) << bootd_b.Log();
}

}  // namespace
}  // namespace rackboot::testing
