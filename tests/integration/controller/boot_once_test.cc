// bootOnce through the real parts: kubectl -> test apiserver -> the real
// rackboot-controller -> mTLS push -> a real bootd (controller mode, HTTP on
// loopback). The booted callback (bootd's /booted/<mac>) must turn the
// Machine Provisioned with NetbootEnabled=False/BootOnceCompleted, and bootd
// must then answer the machine's iPXE script URL with "netboot is off" and
// persist allow_pxe=false -- across a bootd restart with the controller
// down, and across a controller restart. The re-provision action
// (kubectl annotate rackboot.io/reprovision=...) brings the boot back.
// Standalone bootd's side: tests/integration/bootd/boot_once_standalone_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "bootd/agent/snapshot_file.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/child_process.h"

namespace rackboot::testing {
namespace {

constexpr const char* kMac = "52:54:00:00:0b:01";

web::json::value GetMachine(const std::string& ns, const std::string& name) {
  return KubectlJson("get machine -n " + ns + " " + name);
}

// GET (or POST) `url` with curl; the body, or "" when the request failed.
std::string Http(const std::string& url, bool post = false) {
  FILE* p = popen(("curl -sf -m 20 " + std::string(post ? "-X POST " : "") + "'" + url + "' 2>/dev/null").c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return pclose(p) == 0 ? out : "";
}

class BootOnceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "make_test_pki.sh"; }
  std::string Pki(const std::string& f) const { return pki_.File(f); }
  std::string ControllerConfig(const std::string& ns) const {
    return "namespace: " + ns +
           "\nleaderElection: {enabled: false}\n"
           "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.109}\n"
           "grpc:\n  listen: 127.0.0.1:" +
           std::to_string(grpc_port_) + "\n  tls:\n    caFile: " + Pki("ca.pem") +
           "\n    certFile: " + Pki("controller.pem") + "\n    keyFile: " + Pki("controller.key") + "\n";
  }
  std::string BootdConfig() const {
    const std::string path = dir_ + "/bootd.yaml";
    std::ofstream(path) << "rack: rack-a\nlogLevel: info\nstateDir: " << dir_
                        << "\ncontroller:\n  address: 127.0.0.1:" << grpc_port_ << "\n  caFile: " << Pki("ca.pem")
                        << "\n  certFile: " << Pki("bootd-rack-a.pem") << "\n  keyFile: " << Pki("bootd-rack-a.key")
                        << "\nhttp:\n  listen: 127.0.0.1:" << http_port_ << "\n  publicUrl: " << Url("") << "\n";
    return path;
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(http_port_) + path; }
  std::string Script() const { return Http(Url(std::string("/ipxe/") + kMac)); }
  // The assignment bootd persisted for the machine (what it serves after a restart).
  std::optional<v1alpha1::HostAssignment> Persisted(const std::string& key) const {
    auto s = bootd::agent::ReadSnapshotFile(dir_ + "/assignments.snap");
    if (!s.ok()) return std::nullopt;
    for (const auto& a : s->assignments()) {
      if (a.machine_name() == key) return a;
    }
    return std::nullopt;
  }
  uint64_t PersistedVersion() const {
    auto s = bootd::agent::ReadSnapshotFile(dir_ + "/assignments.snap");
    return s.ok() ? s->version() : 0;
  }

  TestPki pki_{"bootonce"};
  const std::string& dir_ = pki_.dir();
  int grpc_port_ = FreeLoopbackPort();
  int http_port_ = FreeLoopbackPort();
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Netboots(const std::string& script) {
  return script.find("kernel") != std::string::npos && script.find("netboot is off") == std::string::npos;
}
bool NetbootOff(const std::string& script) {
  return script.find("netboot is off") != std::string::npos && script.find("\nexit") != std::string::npos;
}

TEST_F(BootOnceTest, BootedEndsNetbootingAcrossRestartsUntilTheReprovisionAnnotationChanges) {
  TestNamespace ns("bootonce");
  const std::string key = ns.name() + "/m1";
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  std::string machine = MachineYaml(ns.name(), "m1", kMac, "p1");
  machine += "  netboot: {bootOnce: true}\n";
  auto applied = Kubectl("apply -f -", machine);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;

  std::optional<ControllerProcess> controller;
  controller.emplace("bootonce", ControllerConfig(ns.name()));
  std::optional<BootdProcess> bootd;
  bootd.emplace(BootdConfig(), dir_ + "/bootd-1.log");
  auto logs = [&] { return controller->Log() + "\n--- bootd ---\n" + bootd->Log(); };

  // Never booted: netboots; the condition says so.
  ASSERT_TRUE(WaitUntil([&] { return Netboots(Script()); })) << logs();
  ASSERT_TRUE(WaitUntil([&] { return ConditionReason(GetMachine(ns.name(), "m1"), "NetbootEnabled") == "Allowed"; }))
      << logs();

  // The installed OS calls booted.
  ASSERT_EQ(Http(Url(std::string("/booted/") + kMac), true), "ok\n") << logs();
  ASSERT_TRUE(WaitUntil([&] {
    auto m = GetMachine(ns.name(), "m1");
    return StatusField(m, "phase") == "Provisioned" && ConditionReason(m, "NetbootEnabled") == "BootOnceCompleted";
  })) << logs();
  auto m = GetMachine(ns.name(), "m1");
  EXPECT_EQ(ConditionStatus(m, "NetbootEnabled"), "False");
  EXPECT_NE(ConditionMessage(m, "NetbootEnabled").find("rackboot.io/reprovision"), std::string::npos);
  ASSERT_TRUE(m.at("status").has_field("provisioned")) << m.serialize();
  EXPECT_EQ(m.at("status").at("provisioned").at("reprovision").as_string(), "");
  // bootd: no boot any more, persisted.
  ASSERT_TRUE(WaitUntil([&] { return NetbootOff(Script()); })) << logs();
  ASSERT_TRUE(Persisted(key));
  EXPECT_FALSE(Persisted(key)->allow_pxe());
  EXPECT_FALSE(Persisted(key)->interfaces(0).ipv4().empty()) << "the lease stays";
  // The printer column shows why.
  auto table = Kubectl("get machine -n " + ns.name() + " m1");
  EXPECT_NE(table.output.find("BootOnceCompleted"), std::string::npos) << table.output;
  // Spec unchanged: the user's intent is not edited.
  auto spec = GetMachine(ns.name(), "m1").at("spec").at("netboot");
  EXPECT_TRUE(spec.at("allowPXE").as_bool());
  EXPECT_TRUE(spec.at("bootOnce").as_bool());

  // Controller down, bootd restarted: it serves its persisted snapshot.
  EXPECT_EQ(controller->Kill(SIGTERM), 0) << controller->Log();
  EXPECT_EQ(bootd->Stop(), 0) << bootd->Log();
  bootd.emplace(BootdConfig(), dir_ + "/bootd-2.log");
  ASSERT_TRUE(WaitUntil([&] { return !Script().empty(); })) << bootd->Log();
  EXPECT_TRUE(NetbootOff(Script())) << Script();

  // Controller back (a new process, empty caches): it pushes a new snapshot,
  // derived from status again, and netboot stays off.
  const uint64_t before = PersistedVersion();
  controller.emplace("bootonce", ControllerConfig(ns.name()));
  ASSERT_TRUE(WaitUntil([&] { return PersistedVersion() != before; })) << logs();
  EXPECT_FALSE(Persisted(key)->allow_pxe()) << logs();
  EXPECT_TRUE(NetbootOff(Script())) << Script();
  EXPECT_EQ(ConditionReason(GetMachine(ns.name(), "m1"), "NetbootEnabled"), "BootOnceCompleted");

  // The re-provision action.
  auto annotated = Kubectl("annotate machine -n " + ns.name() + " m1 rackboot.io/reprovision=round-2 --overwrite");
  ASSERT_EQ(annotated.exit_code, 0) << annotated.output;
  // The status first: fetching the script below is itself a boot stage
  // (phase Booting), so Assigned is only observable before it.
  ASSERT_TRUE(WaitUntil([&] {
    auto again = GetMachine(ns.name(), "m1");
    return ConditionReason(again, "NetbootEnabled") == "Allowed" && StatusField(again, "phase") == "Assigned";
  })) << logs();
  ASSERT_TRUE(WaitUntil([&] { return Netboots(Script()); })) << logs();
  EXPECT_EQ(Persisted(key)->reprovision(), "round-2");

  // The reinstall reports booted: off again, recorded under the new value.
  ASSERT_EQ(Http(Url(std::string("/booted/") + kMac), true), "ok\n") << logs();
  ASSERT_TRUE(WaitUntil([&] { return NetbootOff(Script()); })) << logs();
  ASSERT_TRUE(WaitUntil([&] {
    auto done = GetMachine(ns.name(), "m1");
    return ConditionReason(done, "NetbootEnabled") == "BootOnceCompleted" &&
           done.at("status").at("provisioned").at("reprovision").as_string() == "round-2";
  })) << logs();
  EXPECT_TRUE(controller->Running()) << controller->Log();
}

// bootd's own record of booted callbacks (bootd/agent/boot_once_guard.h).
// The controller is down when the installed OS calls booted, and bootd is
// killed (SIGKILL) before it could deliver the event: the controller never
// heard of it. bootd still ends the netboot at once and after its restart,
// sends the event again, and the status catches up once a controller is
// back. Deleting the Machine forgets the record: a new Machine of the same
// name netboots.
TEST_F(BootOnceTest, BootedCallbackSurvivesABootdCrashBeforeTheControllerHeardOfIt) {
  TestNamespace ns("bootcrash");
  const std::string key = ns.name() + "/m1";
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  const std::string machine = MachineYaml(ns.name(), "m1", kMac, "p1") + "  netboot: {bootOnce: true}\n";
  ASSERT_EQ(Kubectl("apply -f -", machine).exit_code, 0);
  std::optional<ControllerProcess> controller;
  controller.emplace("bootcrash", ControllerConfig(ns.name()));
  std::optional<BootdProcess> bootd;
  bootd.emplace(BootdConfig(), dir_ + "/bootd-1.log");
  ASSERT_TRUE(WaitUntil([&] { return Netboots(Script()); })) << controller->Log() << bootd->Log();
  ASSERT_TRUE(Persisted(key));
  EXPECT_TRUE(Persisted(key)->allow_pxe());

  // The controller goes away; the installed OS calls booted.
  EXPECT_EQ(controller->Kill(SIGTERM), 0) << controller->Log();
  ASSERT_EQ(Http(Url(std::string("/booted/") + kMac), true), "ok\n") << bootd->Log();
  // Recorded before the answer, and served from then on.
  EXPECT_TRUE(NetbootOff(Script())) << Script();
  const std::string records = dir_ + "/provisioned-machines.yaml";
  EXPECT_NE(ReadFile(records).find(key), std::string::npos) << ReadFile(records);

  // bootd dies with the event undelivered; the restarted bootd still says no.
  EXPECT_EQ(bootd->Stop(SIGKILL), -1);
  bootd.emplace(BootdConfig(), dir_ + "/bootd-2.log");
  ASSERT_TRUE(WaitUntil([&] { return !Script().empty(); })) << bootd->Log();
  EXPECT_TRUE(NetbootOff(Script())) << Script();
  EXPECT_TRUE(Persisted(key)->allow_pxe()) << "what the controller pushed is kept as pushed";
  EXPECT_NE(bootd->Log().find("booted callback sent again"), std::string::npos) << bootd->Log();

  // A controller again: the replayed event reaches the status.
  controller.emplace("bootcrash", ControllerConfig(ns.name()));
  ASSERT_TRUE(WaitUntil([&] {
    auto m = GetMachine(ns.name(), "m1");
    return StatusField(m, "phase") == "Provisioned" && ConditionReason(m, "NetbootEnabled") == "BootOnceCompleted";
  })) << controller->Log()
      << bootd->Log();
  ASSERT_TRUE(WaitUntil([&] { return Persisted(key) && !Persisted(key)->allow_pxe(); })) << controller->Log();
  EXPECT_TRUE(NetbootOff(Script())) << Script();

  // The Machine deleted and created again: a new machine, it netboots.
  ASSERT_EQ(Kubectl("delete machine -n " + ns.name() + " m1").exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return !Persisted(key); })) << controller->Log();
  EXPECT_EQ(ReadFile(records).find(key), std::string::npos) << ReadFile(records);
  ASSERT_EQ(Kubectl("apply -f -", machine).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return Netboots(Script()); })) << controller->Log() << bootd->Log();
  EXPECT_TRUE(controller->Running()) << controller->Log();
}

// A Machine without bootProfileRef reaches bootd as a known machine (its
// reserved address, lease only), as standalone bootd serves it.
TEST_F(BootOnceTest, MachineWithoutProfileIsPushedAsAKnownMachineWithoutBootFile) {
  TestNamespace ns("noprofile");
  const std::string key = ns.name() + "/bare";
  const std::string machine =
      "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: bare\n  namespace: " + ns.name() +
      "\nspec:\n  rack: rack-a\n  hostname: bare.lab\n  interfaces:\n  - mac: \"" + kMac + "\"\n";
  ASSERT_EQ(Kubectl("apply -f -", machine).exit_code, 0);
  ControllerProcess controller("noprofile", ControllerConfig(ns.name()));
  BootdProcess bootd(BootdConfig(), dir_ + "/bootd.log");
  ASSERT_TRUE(WaitUntil([&] { return Persisted(key).has_value(); })) << controller.Log() << bootd.Log();
  const auto a = *Persisted(key);
  EXPECT_FALSE(a.allow_pxe());
  EXPECT_EQ(a.hostname(), "bare.lab");
  EXPECT_EQ(a.interfaces(0).ipv4().rfind("10.0.0.10", 0), 0u) << a.interfaces(0).ipv4();
  ASSERT_TRUE(WaitUntil([&] { return NetbootOff(Script()); })) << bootd.Log();
  auto m = GetMachine(ns.name(), "bare");
  EXPECT_EQ(StatusField(m, "phase"), "Assigned");
  EXPECT_EQ(ConditionReason(m, "ProfileResolved"), "NoProfileReference");
  EXPECT_EQ(ConditionReason(m, "NetbootEnabled"), "NoBootProfile");
}

}  // namespace
}  // namespace rackboot::testing
