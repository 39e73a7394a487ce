// bootOnce in standalone bootd, with a real DHCP client: bootd (server mode,
// manifest directory, HTTP) in one network namespace, a PXE-looking udhcpc
// (option 60 PXEClient, option 93 = 0) with the Machine's MAC in another.
// Before the booted callback the machine's DHCP answer names a boot file;
// after it, the lease comes without one (and its iPXE script URL says
// "netboot is off" and exits) -- also after bootd restarts; a new
// rackboot.io/reprovision value in the manifest brings the boot file back.
// The controller's side: tests/integration/controller/boot_once_test.cc.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

constexpr const char* kMac = "52:54:00:00:0c:01";

std::string Manifests(const std::string& reprovision) {
  return "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: tiny\nspec:\n"
         "  kernel:\n    url: http://192.0.2.10/vmlinuz\n  cmdline: console=ttyS0\n---\n"
         "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: node1\n" +
         (reprovision.empty() ? "" : "  annotations:\n    rackboot.io/reprovision: \"" + reprovision + "\"\n") +
         "spec:\n  rack: rack-a\n  interfaces:\n    - mac: \"" + kMac +
         "\"\n  bootProfileRef:\n    name: tiny\n  netboot:\n    bootOnce: true\n";
}

class BootOnceStandaloneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    lab_ = std::make_unique<NetnsLab>("bootonce");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
    ConnectServerAndClient(*lab_);
    lab_->Exec(lab_->FullName("cli"), {"ip", "link", "set", "eth0", "address", kMac});
    events_ = Wd() + "/udhcpc-events";
    hook_ = Wd() + "/udhcpc-hook";
    std::filesystem::create_directories(Wd() + "/manifests");
    std::filesystem::create_directories(Wd() + "/state");
    WriteFile(Wd() + "/manifests/node1.yaml", Manifests(""));
    WriteFile(hook_, UdhcpcScript(events_), true);
  }
  std::string Wd() const { return lab_->work_dir(); }
  std::string Config() const {
    LabBootdConfig c(Wd() + "/state");
    c.log_level = "info";
    c.manifest_dir = Wd() + "/manifests";
    // TFTP on: bootd offers a PXE ROM's boot file only when something serves
    // it (docs/bootd-config.md); the root is the lab's work directory.
    c.sections = "tftp:\n  root: " + Wd() + "\nhttp:\n  listen: 192.0.2.1:8080\n  publicUrl: http://192.0.2.1:8080\n";
    return c.Yaml();
  }
  // One PXE-looking DHCP exchange; the hook's line for it ("bound ip=...
  // boot_file=...").
  std::string PxeDhcp() {
    std::filesystem::remove(events_);
    std::string out;
    const int rc = lab_->Run(
        "cli", {"timeout", "60",       "udhcpc", "-f", "-q", "-n", "-i", "eth0", "-s",
                hook_,     "-t",       "10",     "-T", "1",  "-A", "1",  "-V",   "PXEClient:Arch:00000:UNDI:002001",
                "-x",      "0x5d:0000"},
        &out);
    EXPECT_EQ(rc, 0) << out;
    return ReadFile(events_);
  }
  std::string Http(const std::string& path, bool post = false) {
    std::string out;
    std::vector<std::string> argv = {"curl", "-sf", "-m", "20"};
    if (post) argv.insert(argv.end(), {"-X", "POST"});
    argv.push_back("http://192.0.2.1:8080" + path);
    return lab_->Run("cli", argv, &out) == 0 ? out : "";
  }

  std::unique_ptr<NetnsLab> lab_;
  std::string events_;
  std::string hook_;
};

bool HasBootFile(const std::string& line) {
  return line.find("bound ip=192.0.2.1") != std::string::npos &&
         line.find("boot_file=undionly.kpxe") != std::string::npos;
}
// A lease (an address from the pool) and no boot file.
bool LeaseOnly(const std::string& line) {
  return line.find("bound ip=192.0.2.1") != std::string::npos && line.find("boot_file= ") != std::string::npos;
}

TEST_F(BootOnceStandaloneTest, BootedEndsTheBootFileAcrossRestartsUntilReprovisioned) {
  const std::string script = std::string("/ipxe/") + kMac;
  auto bootd = StartBootd(*lab_, "srv", Config());
  ASSERT_TRUE(bootd->Running()) << bootd->Output();

  // First power-on: the installer boots.
  std::string line = PxeDhcp();
  ASSERT_TRUE(HasBootFile(line)) << line << bootd->Output();
  EXPECT_NE(Http(script).find("kernel"), std::string::npos) << bootd->Output();

  // The installed OS calls booted: recorded before the answer.
  ASSERT_EQ(Http(std::string("/booted/") + kMac, true), "ok\n") << bootd->Output();
  EXPECT_NE(ReadFile(Wd() + "/state/provisioned-machines.yaml").find("node1"), std::string::npos);

  // Second power-on: a lease, no boot file; the script URL says why and exits.
  line = PxeDhcp();
  EXPECT_TRUE(LeaseOnly(line)) << line << bootd->Output();
  std::string off = Http(script);
  EXPECT_NE(off.find("netboot is off"), std::string::npos) << off;
  EXPECT_NE(off.find("\nexit"), std::string::npos) << off;

  // bootd restarted (SIGTERM, then a new process): still no boot file.
  bootd->Kill(SIGTERM);
  EXPECT_EQ(bootd->Wait(std::chrono::seconds(60)), 0) << bootd->Output();
  bootd = StartBootd(*lab_, "srv", Config());
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  line = PxeDhcp();
  EXPECT_TRUE(LeaseOnly(line)) << line << bootd->Output();

  // Killed hard (no drain): the record was durable before booted was answered.
  bootd->Kill(SIGKILL);
  bootd->Wait(std::chrono::seconds(60));
  bootd = StartBootd(*lab_, "srv", Config());
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  line = PxeDhcp();
  EXPECT_TRUE(LeaseOnly(line)) << line << bootd->Output();

  // The re-provision action: a new annotation value (written beside the
  // directory and renamed in, one inotify event). Wait until bootd serves
  // it (the script URL netboots again), then power on.
  WriteFile(Wd() + "/node1.yaml.new", Manifests("round-2"));
  std::filesystem::rename(Wd() + "/node1.yaml.new", Wd() + "/manifests/node1.yaml");
  ASSERT_TRUE(WaitUntil([&] { return Http(script).find("kernel") != std::string::npos; })) << bootd->Output();
  line = PxeDhcp();
  EXPECT_TRUE(HasBootFile(line)) << line << bootd->Output();

  // The reinstall reports booted: lease only again, recorded under round-2.
  ASSERT_EQ(Http(std::string("/booted/") + kMac, true), "ok\n") << bootd->Output();
  line = PxeDhcp();
  EXPECT_TRUE(LeaseOnly(line)) << line << bootd->Output();
  EXPECT_NE(ReadFile(Wd() + "/state/provisioned-machines.yaml").find("round-2"), std::string::npos);
}

}  // namespace
}  // namespace rackboot::testing::dhcp
