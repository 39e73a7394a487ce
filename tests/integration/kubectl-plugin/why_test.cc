// kubectl rackboot why <machine>, with real parts only: kubectl (its own
// plugin lookup finds kubectl-plugin/kubectl-rackboot on PATH) -> the test
// apiserver; the real rackboot-controller resolving and pushing over its
// unix socket; a real bootd (DHCP server, TFTP, HTTP) in a network
// namespace, asked through its admin socket (`--bootd` runs bootd explain
// on this host, as on a rack node). A real curl in the client namespace
// sends the booted callback. The output must name the actual reason for:
// a normal machine (boot file, script, secret masked), a bootOnce machine
// that has booted, a profile the resolver refuses (template problem caught
// by the controller), a profile only bootd can refuse (env.* at render
// time), and an unknown MAC.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "tests/integration/controller/kube_test_env.h"
#include "tests/integration/dhcp/dhcp_lab.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

constexpr const char* kOkMac = "52:54:00:00:0e:01";
constexpr const char* kOnceMac = "52:54:00:00:0e:02";
constexpr const char* kBadMac = "52:54:00:00:0e:03";
constexpr const char* kEnvMac = "52:54:00:00:0e:04";

// Shell command line -> output (stdout + stderr) and exit code.
CommandResult Shell(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Manifests(const std::string& ns, const std::string& hash) {
  auto profile = [&](const std::string& name, const std::string& cmdline, const std::string& extra = "") {
    return "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
           "\nspec:\n  kernel: {url: \"http://192.0.2.10/vmlinuz\"}\n  cmdline: \"" + cmdline + "\"\n" + extra +
           "---\n";
  };
  auto machine = [&](const std::string& name, const std::string& mac, const std::string& prof,
                     const std::string& extra = "") {
    return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
           "\nspec:\n  rack: rack-a\n  interfaces: [{mac: \"" + mac + "\"}]\n  bootProfileRef: {name: " + prof + "}\n" +
           extra + "---\n";
  };
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: " + ns +
         "\n  labels: {rackboot.io/secret: \"true\"}\nstringData:\n  hash: \"" + hash + "\"\n---\n" +
         profile("install", "console=ttyS0 ds=nocloud-net;s={{config_base}}",
                 "  install:\n    cloudInit:\n      userData: \"#cloud-config\\npassword: {{params.pw}}\\n\"\n") +
         profile("plain", "console=ttyS0") + profile("bad", "console=ttyS0 root={{params.rootdev}}") +
         profile("env", "console=ttyS0 nfs={{env.nfs-server}}") +
         machine("m-ok", kOkMac, "install", "  secretParameters:\n    pw: {name: creds, key: hash}\n") +
         machine("m-once", kOnceMac, "plain", "  netboot: {bootOnce: true}\n") + machine("m-bad", kBadMac, "bad") +
         machine("m-env", kEnvMac, "env");
}

class WhyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki_.ok()) << "make_test_pki.sh";
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    // kubectl finds plugins on PATH.
    const std::string path = SourcePath("kubectl-plugin") + ":" + std::getenv("PATH");
    setenv("PATH", path.c_str(), 1);
    std::filesystem::create_directories(dir() + "/state");
    std::filesystem::create_directories(dir() + "/tftp");
    dhcp::WriteFile(dir() + "/tftp/undionly.kpxe", "not really a PXE ROM");
  }
  const std::string& dir() const { return pki_.dir(); }
  std::string Socket() const { return dir() + "/push.sock"; }
  std::string ControllerConfig(const std::string& ns) const {
    return "namespace: " + ns +
           "\nleaderElection: {enabled: false}\n"
           "racks:\n- name: rack-a\n  subnet: 192.0.2.0/24\n  pool: {start: 192.0.2.50, end: 192.0.2.59}\n"
           "grpc:\n  listen: 127.0.0.1:0\n  unixSocket: " +
           Socket() + "\n  tls:\n    caFile: " + pki_.File("ca.pem") +
           "\n    certFile: " + pki_.File("controller.pem") + "\n    keyFile: " + pki_.File("controller.key") + "\n";
  }
  // bootd in the lab's srv namespace: DHCP server on its veth, assignments
  // from the controller's unix socket (reached through the file system).
  std::string BootdConfig() const {
    dhcp::LabBootdConfig c(dir() + "/state");
    c.log_level = "info";
    c.sections = "controller:\n  address: unix:" + Socket() + "\n  caFile: " + pki_.File("ca.pem") +
                 "\n  certFile: " + pki_.File("bootd-rack-a.pem") + "\n  keyFile: " + pki_.File("bootd-rack-a.key") +
                 "\n  serverName: localhost\ntftp:\n  root: " + dir() +
                 "/tftp\nhttp:\n  listen: 192.0.2.1:8080\n  publicUrl: http://192.0.2.1:8080\n";
    return c.Yaml();
  }
  std::string BootdExplain(const std::string& query) const {
    return Shell(BinaryPath("bootd/bootd") + " explain '" + query + "' --config '" + bootd_config_ + "'").output;
  }
  CommandResult Why(const std::string& ns, const std::string& machine) const {
    return Shell("kubectl rackboot why " + machine + " -n " + ns + " --bootd '" + BinaryPath("bootd/bootd") +
                 "' --bootd-config '" + bootd_config_ + "'");
  }

  TestPki pki_{"why"};
  std::string bootd_config_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(WhyTest, NamesTheActualReasonForEachMachine) {
  TestNamespace ns("why");
  const std::string hash = "$6$WHYHASH" + std::to_string(getpid());
  auto applied = Kubectl("apply -f -", Manifests(ns.name(), hash));
  ASSERT_EQ(applied.exit_code, 0) << applied.output;

  ControllerProcess controller("why", ControllerConfig(ns.name()));
  NetnsLab lab("why");
  lab.AddNamespace("srv");
  lab.AddNamespace("cli");
  dhcp::ConnectServerAndClient(lab);
  lab.Exec(lab.FullName("cli"), {"ip", "addr", "add", "192.0.2.77/24", "dev", "eth0"});
  auto bootd = dhcp::StartBootd(lab, "srv", BootdConfig());
  bootd_config_ = lab.work_dir() + "/bootd-srv.yaml";
  auto logs = [&] { return controller.Log() + "\n--- bootd ---\n" + bootd->Output(); };
  ASSERT_TRUE(bootd->Running()) << logs();

  // The push has reached bootd: it knows the resolvable machines.
  ASSERT_TRUE(WaitUntil([&] {
    return Has(BootdExplain(kOkMac), "machine: " + ns.name() + "/m-ok") &&
           Has(BootdExplain(kEnvMac), "machine: " + ns.name() + "/m-env");
  })) << logs();

  // Normal: BIOS PXE gets undionly.kpxe from TFTP, iPXE its script URL;
  // the script with its config token masked; the secret nowhere.
  CommandResult ok = Why(ns.name(), "m-ok");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(Has(ok.output, "Machine " + ns.name() + "/m-ok: rack rack-a, profile install")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "ProfileResolved=True")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "BootProfile install: ")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "verdict: OK")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "DISCOVER -> OFFER address 192.0.2.5")) << "the reserved address: " << ok.output;
  EXPECT_TRUE(Has(ok.output, "67=undionly.kpxe")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "67=http://192.0.2.1:8080/ipxe/52-54-00-00-0e-01")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "  | kernel http://192.0.2.10/vmlinuz console=ttyS0 ds=nocloud-net;s=")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "/config/52-54-00-00-0e-01/t/MASKED/")) << ok.output;
  EXPECT_TRUE(Has(ok.output, "user-data: token, renders")) << ok.output;
  EXPECT_FALSE(Has(ok.output, hash)) << ok.output;
  EXPECT_FALSE(Has(ok.output, "WHYHASH")) << ok.output;

  // bootOnce: the booted callback (curl, as the installed OS would), then
  // the controller's decision reaches bootd.
  std::string booted;
  ASSERT_EQ(lab.Run("cli", {"curl", "-sSf", "-X", "POST", "http://192.0.2.1:8080/booted/52-54-00-00-0e-02"}, &booted),
            0)
      << booted << logs();
  ASSERT_TRUE(WaitUntil([&] {
    return ConditionReason(KubectlJson("get machines.rackboot.io -n " + ns.name() + " m-once"), "NetbootEnabled") ==
               "BootOnceCompleted" &&
           Has(BootdExplain(kOnceMac), "NETBOOT OFF");
  })) << logs();
  CommandResult once = Why(ns.name(), "m-once");
  EXPECT_EQ(once.exit_code, 0) << once.output;
  EXPECT_TRUE(Has(once.output, "phase: Provisioned")) << once.output;
  EXPECT_TRUE(Has(once.output, "NetbootEnabled=False BootOnceCompleted")) << once.output;
  EXPECT_TRUE(Has(once.output, "verdict: NETBOOT OFF: bootOnce: the machine has already booted")) << once.output;
  EXPECT_TRUE(Has(once.output, "rackboot.io/reprovision")) << once.output;
  EXPECT_TRUE(Has(once.output, "booted from 192.0.2.77")) << "bootd's record: " << once.output;
  // The controller's Event for the callback (emitted after its status write).
  EXPECT_TRUE(WaitUntil([&] { return Has(Why(ns.name(), "m-once").output, "Normal Booted"); }))
      << Why(ns.name(), "m-once").output;

  // Template problem the resolver catches: the controller pushes nothing,
  // the condition names the variable, bootd does not know the MAC.
  CommandResult bad = Why(ns.name(), "m-bad");
  EXPECT_EQ(bad.exit_code, 0) << bad.output;
  EXPECT_TRUE(Has(bad.output, "ProfileResolved=False")) << bad.output;
  EXPECT_TRUE(Has(bad.output, "params.rootdev")) << bad.output;
  EXPECT_TRUE(Has(bad.output, "verdict: UNKNOWN MAC")) << bad.output;

  // Template problem only bootd sees (its rack has no env.nfs-server).
  CommandResult env = Why(ns.name(), "m-env");
  EXPECT_EQ(env.exit_code, 0) << env.output;
  EXPECT_TRUE(Has(env.output, "verdict: SCRIPT ERROR: BootProfile env: spec.cmdline")) << env.output;
  EXPECT_TRUE(Has(env.output, "env.nfs-server")) << env.output;
  EXPECT_TRUE(Has(env.output, "could not be rendered")) << "the script bootd serves: " << env.output;

  // A MAC no Machine lists.
  const std::string unknown = BootdExplain("52:54:00:00:0e:99");
  EXPECT_TRUE(Has(unknown, "verdict: UNKNOWN MAC: no Machine on rack rack-a lists it")) << unknown;
  EXPECT_TRUE(Has(unknown, "without a boot file")) << "server mode still leases: " << unknown;

  // A Machine that does not exist.
  CommandResult missing = Why(ns.name(), "m-none");
  EXPECT_NE(missing.exit_code, 0) << missing.output;
  EXPECT_TRUE(Has(missing.output, "cannot read Machine m-none")) << missing.output;
}

}  // namespace
}  // namespace rackboot::testing
