// The whole controller -> bootd path with real processes: rackboot-controller
// against the test apiserver (fixture "k8s") with its mTLS push server, and
// a real bootd in controller mode. Machines applied with kubectl must reach
// bootd's persisted snapshot; a profile change and a delete must follow.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bootd/agent/snapshot_file.h"
#include "bootd/standalone/manifest.h"
#include "bootd/standalone/manifest_directory.h"
#include "common/yaml_config.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/child_process.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

class PushWireTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "make_test_pki.sh"; }
  std::string Pki(const std::string& f) const { return pki_.File(f); }
  // A controller of `ns` with rack-a's pool, pushing on `port` (mTLS).
  std::string ControllerConfig(const std::string& ns, int port, const std::string& leader_election) const {
    return "namespace: " + ns + "\n" + leader_election +
           "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.109}\n"
           "grpc:\n  listen: 127.0.0.1:" +
           std::to_string(port) + "\n  tls:\n    caFile: " + Pki("ca.pem") +
           "\n    certFile: " + Pki("controller.pem") + "\n    keyFile: " + Pki("controller.key") + "\n";
  }
  // A bootd of rack-a dialling the controller on `port`; it persists its
  // snapshot to <dir_>/assignments.snap.
  std::string WriteBootdConfig(int port) const {
    const std::string path = dir_ + "/bootd.yaml";
    std::ofstream out(path);
    out << "rack: rack-a\nlogLevel: info\nstateDir: " << dir_ << "\ncontroller:\n  address: 127.0.0.1:" << port
        << "\n  caFile: " << Pki("ca.pem") << "\n  certFile: " << Pki("bootd-rack-a.pem")
        << "\n  keyFile: " << Pki("bootd-rack-a.key") << "\n";
    return path;
  }

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
  const std::string controller_config = ControllerConfig(
      ns.name(), port,
      "leaderElection:\n  enabled: true\n  leaseName: rackboot-controller\n  leaseNamespace: " + ns.name() +
          "\n  leaseDurationSeconds: 4\n  renewDeadlineSeconds: 3\n  retryPeriodSeconds: 1\n");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p2", "console=ttyS1")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:0a:01", "p1")).exit_code, 0);
  ControllerProcess controller("wire", controller_config);

  const std::string snap = dir_ + "/assignments.snap";
  BootdProcess bootd(WriteBootdConfig(port), dir_ + "/bootd.log");
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

// The golden fixtures of tests/unit/resolve/two_doors (every field of both
// CRDs), placed in namespace `ns` and rack rack-a.
std::string GoldenFixtures(const std::string& ns) {
  std::string all;
  for (const char* f : {"full.yaml", "minimal.yaml", "menu.yaml", "secrets.yaml"}) {
    std::ifstream in(SourcePath(std::string("tests/unit/resolve/two_doors/") + f));
    std::stringstream text;
    text << in.rdbuf();
    all += text.str() + "\n---\n";
  }
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at = all.find(from); at != std::string::npos; at = all.find(from, at + to.size())) {
      all.replace(at, from.size(), to);
    }
  };
  replace("namespace: lab", "namespace: " + ns);
  replace("rack: r1", "rack: rack-a");
  return all;
}

// The same manifests through standalone bootd's parser and the resolver;
// namespace and generation as the API server gives them.
std::map<std::string, v1alpha1::HostAssignment> ResolvedStandalone(const std::string& text, const std::string& ns) {
  std::map<std::string, bootd::standalone::BootProfileManifest> profiles;
  std::vector<bootd::standalone::MachineManifest> machines;
  resolve::SecretData secrets;  // the fixtures' labelled Secrets, all in `ns`
  for (const auto& doc : LoadYamlDocumentsFromString(text, "fixtures")) {
    if (doc.IsNull()) continue;
    auto parsed = bootd::standalone::ParseManifest(doc, "fixtures");
    if (parsed.secret && parsed.secret->labelled) secrets[parsed.secret->name] = parsed.secret->data;
    if (parsed.profile) profiles.emplace(parsed.profile->name, *parsed.profile);
    if (parsed.machine) {
      parsed.machine->namespace_ = ns;
      parsed.machine->generation = 1;  // a new object's generation
      machines.push_back(*parsed.machine);
    }
  }
  std::map<std::string, v1alpha1::HostAssignment> out;
  for (const auto& m : machines) {
    auto h = bootd::standalone::ResolveHostAssignment(m, &profiles.at(m.boot_profile), secrets);
    EXPECT_TRUE(h.ok()) << m.name;
    if (h.ok()) out[h->machine_name()] = *h;
  }
  return out;
}

// One spec, two doors, with real parts: every CRD field, applied with
// kubectl, reaches bootd through the real controller exactly as standalone
// bootd resolves the same manifests.
TEST_F(PushWireTest, EveryCrdFieldReachesBootdAsStandaloneResolvesIt) {
  TestNamespace ns("golden");
  const int port = FreeLoopbackPort();
  const std::string controller_config = ControllerConfig(ns.name(), port, "leaderElection: {enabled: false}\n");
  const std::string fixtures = GoldenFixtures(ns.name());
  auto applied = Kubectl("apply -n " + ns.name() + " -f -", fixtures);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  ControllerProcess controller("golden", controller_config);
  const std::string snap = dir_ + "/assignments.snap";
  BootdProcess bootd(WriteBootdConfig(port), dir_ + "/bootd.log");

  const auto expected = ResolvedStandalone(fixtures, ns.name());
  ASSERT_EQ(expected.size(), 4u);
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& [name, host] : expected) {
      if (!InSnapshot(snap, name)) return false;
    }
    return true;
  })) << controller.Log()
      << bootd.Log() << Kubectl("get machines -n " + ns.name() + " -o yaml").output;
  for (const auto& [name, host] : expected) {
    auto pushed = InSnapshot(snap, name);
    ASSERT_TRUE(pushed);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*pushed, host))
        << name << "\npushed:\n"
        << pushed->DebugString() << "standalone:\n"
        << host.DebugString();
  }
  const auto full = *InSnapshot(snap, ns.name() + "/node-full");
  EXPECT_TRUE(full.boot_once());
  EXPECT_EQ(full.boot().install_configs().size(), 6);
  EXPECT_EQ(full.boot().menu_size(), 4);
  EXPECT_EQ(full.boot_file_overrides().at("x86_64-uefi"), "snponly.efi");
  // The Secret, applied with the fixtures, was read by the controller.
  const auto secret = *InSnapshot(snap, ns.name() + "/node-secret");
  EXPECT_EQ(secret.secret_parameters().at("passwordHash"), "$6$rounds=4096$c2FsdHNhbHQ$Zm9vYmFyYmF6");
  EXPECT_EQ(secret.boot().secret_install_configs_size(), 6);
}

}  // namespace
}  // namespace rackboot::testing
