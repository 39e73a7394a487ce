// Two rackboot-controller replicas on one Lease: only the leader assigns;
// kill -9 the leader and the other takes over (after the lease expires) and
// keeps assigning, and no address is ever given twice. A clean shutdown
// releases the lease. Short lease timings (4 s / 3 s / 1 s) keep it quick.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>

#include "tests/integration/controller/kube_test_env.h"

namespace rackboot::testing {
namespace {

std::string Config(const std::string& ns) {
  return "namespace: " + ns +
         "\nleaderElection:\n  enabled: true\n  leaseName: rackboot-controller\n  leaseNamespace: " + ns +
         "\n  leaseDurationSeconds: 4\n  renewDeadlineSeconds: 3\n  retryPeriodSeconds: 1\n"
         "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.199}\n";
}

void ApplyMachines(const std::string& ns, int from, int to) {
  std::string yaml;
  for (int i = from; i < to; ++i) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "52:54:00:00:07:%02x", i);
    yaml += MachineYaml(ns, "le" + std::to_string(i), mac, "p") + "---\n";
  }
  ASSERT_EQ(Kubectl("apply -f -", yaml).exit_code, 0);
}

// name -> status.ipv4 of every Assigned Machine.
std::map<std::string, std::string> AssignedIps(const std::string& ns) {
  std::map<std::string, std::string> out;
  auto list = KubectlJson("get machines -n " + ns);
  if (list.is_null()) return out;
  for (const auto& m : list.at("items").as_array()) {
    if (StatusField(m, "phase") == "Assigned") out[m.at("metadata").at("name").as_string()] = StatusField(m, "ipv4");
  }
  return out;
}

web::json::value GetLease(const std::string& ns) {
  return KubectlJson("get lease -n " + ns + " rackboot-controller");
}

std::string LeaseField(const web::json::value& lease, const char* f) {
  if (lease.is_null() || !lease.at("spec").has_field(f)) return "";
  const auto& v = lease.at("spec").at(f);
  return v.is_string() ? v.as_string() : v.serialize();
}

TEST(LeaderElectionTest, KillLeaderOtherTakesOverWithoutDuplicateAddresses) {
  TestNamespace ns("leader");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p", "console=ttyS0")).exit_code, 0);
  ApplyMachines(ns.name(), 0, 5);

  auto a = std::make_unique<ControllerProcess>("replica-a", Config(ns.name()));
  ASSERT_TRUE(WaitUntil([&] { return AssignedIps(ns.name()).size() == 5; })) << a->Log();
  ASSERT_NE(a->Log().find("became leader"), std::string::npos);
  const std::string holder_a = LeaseField(GetLease(ns.name()), "holderIdentity");
  const std::string epoch_a = LeaseField(GetLease(ns.name()), "leaseTransitions");
  ASSERT_FALSE(holder_a.empty());

  ControllerProcess b("replica-b", Config(ns.name()));
  ASSERT_TRUE(WaitUntil([&] { return b.Log().find("listed") != std::string::npos; })) << b.Log();
  EXPECT_EQ(b.Log().find("became leader"), std::string::npos) << "A still holds the lease";

  a->Kill(SIGKILL);  // no release: B must wait for the lease to expire
  ApplyMachines(ns.name(), 5, 10);
  ASSERT_TRUE(WaitUntil([&] { return AssignedIps(ns.name()).size() == 10; }, std::chrono::seconds(90))) << b.Log();
  EXPECT_NE(b.Log().find("became leader"), std::string::npos) << b.Log();
  auto lease = GetLease(ns.name());
  EXPECT_NE(LeaseField(lease, "holderIdentity"), holder_a);
  EXPECT_GT(std::stoi(LeaseField(lease, "leaseTransitions")), std::stoi(epoch_a)) << "the fencing epoch grows";

  std::set<std::string> unique;
  for (const auto& [name, ip] : AssignedIps(ns.name())) {
    EXPECT_TRUE(unique.insert(ip).second) << ip << " given twice (" << name << ")";
  }
  EXPECT_EQ(unique.size(), 10u);

  // Clean shutdown releases the lease at once.
  b.Kill(SIGTERM);
  EXPECT_EQ(LeaseField(GetLease(ns.name()), "holderIdentity"), "");
}

}  // namespace
}  // namespace rackboot::testing
