// `bootd explain` and the one MAC spelling in URLs (issue 15), against a
// real standalone bootd in a network namespace: DHCP server on the lab's
// veth, TFTP, HTTP, a manifest directory with a good machine and one whose
// profile has a template problem. A real DHCP client (udhcpc looking like
// iPXE) and curl in the other namespace; `bootd explain` asks the running
// bootd through its admin socket, and reads the manifests with --offline.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

constexpr const char* kMac = "52:54:00:00:0d:01";
constexpr const char* kBrokenMac = "52:54:00:00:0d:02";

std::string Manifests() {
  return "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: tiny\nspec:\n"
         "  kernel:\n    path: vmlinuz\n  cmdline: console=ttyS0 rb.callback={{booted_url}}\n---\n"
         "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: node1\nspec:\n  rack: rack-a\n"
         "  interfaces:\n    - mac: \"" +
         std::string(kMac) +
         "\"\n  bootProfileRef:\n    name: tiny\n---\n"
         "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: broken\nspec:\n"
         "  kernel:\n    path: vmlinuz\n  cmdline: console=ttyS0 root={{params.rootdev}}\n---\n"
         "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: node2\nspec:\n  rack: rack-a\n"
         "  interfaces:\n    - mac: \"" +
         std::string(kBrokenMac) + "\"\n  bootProfileRef:\n    name: broken\n";
}

class ExplainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    lab_ = std::make_unique<NetnsLab>("explain");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
    ConnectServerAndClient(*lab_);
    lab_->Exec(lab_->FullName("cli"), {"ip", "link", "set", "eth0", "address", kMac});
    for (const char* d : {"/manifests", "/state", "/tftp", "/artifacts"}) std::filesystem::create_directories(Wd() + d);
    WriteFile(Wd() + "/manifests/machines.yaml", Manifests());
    WriteFile(Wd() + "/tftp/undionly.kpxe", "not really a PXE ROM");
    WriteFile(Wd() + "/artifacts/vmlinuz", "not really a kernel");
    hook_ = Wd() + "/udhcpc-hook";
    events_ = Wd() + "/udhcpc-events";
    WriteFile(hook_, UdhcpcScript(events_), true);
    LabBootdConfig c(Wd() + "/state");
    c.log_level = "info";
    c.manifest_dir = Wd() + "/manifests";
    c.sections = "tftp:\n  root: " + Wd() +
                 "/tftp\nhttp:\n  listen: 192.0.2.1:8080\n  publicUrl: http://192.0.2.1:8080\n" +
                 "  artifactRoot: " + Wd() + "/artifacts\n";
    bootd_ = StartBootd(*lab_, "srv", c.Yaml());
    ASSERT_TRUE(bootd_->Running()) << bootd_->Output();
    config_ = lab_->work_dir() + "/bootd-srv.yaml";
  }
  std::string Wd() const { return lab_->work_dir(); }

  // `bootd explain ARGS...` in the server's namespace (the offline host
  // checks look at its eth0); output is stdout + stderr.
  std::string Explain(std::vector<std::string> args, int* exit_code = nullptr) {
    std::vector<std::string> argv = {BinaryPath("bootd/bootd"), "explain"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--config", config_});
    std::string out;
    const int rc = lab_->Run("srv", argv, &out);
    if (exit_code) *exit_code = rc;
    return out;
  }
  // curl in the client namespace; "<http code>\n<body>".
  std::string Curl(const std::string& path, bool post = false) {
    std::vector<std::string> argv = {"curl", "-sS", "-m", "20", "-w", "\\n%{http_code}", "-o", "-"};
    if (post) argv.insert(argv.end(), {"-X", "POST"});
    argv.push_back("http://192.0.2.1:8080" + path);
    std::string out;
    lab_->Run("cli", argv, &out);
    const size_t nl = out.rfind('\n');
    if (nl == std::string::npos) return out;
    return out.substr(nl + 1) + "\n" + out.substr(0, nl);
  }

  std::unique_ptr<NetnsLab> lab_;
  std::unique_ptr<LabProcess> bootd_;
  std::string config_, hook_, events_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ExplainTest, MacIsSpelledWithDashesInEveryUrlAndAcceptedInAnySpelling) {
  // A real DHCP client looking like iPXE (option 77 "iPXE") gets the
  // script URL, MAC with dashes; it also configures the client's address.
  std::string out;
  ASSERT_EQ(lab_->Run("cli", {"timeout", "60",
                              "udhcpc",  "-f",
                              "-q",      "-n",
                              "-i",      "eth0",
                              "-s",      hook_,
                              "-t",      "10",
                              "-T",      "1",
                              "-A",      "1",
                              "-V",      "PXEClient:Arch:00000:UNDI:002001",
                              "-x",      "0x5d:0000",
                              "-x",      "0x4d:69505845"},
                      &out),
            0)
      << out << bootd_->Output();
  EXPECT_TRUE(Has(ReadFile(events_), "boot_file=http://192.0.2.1:8080/ipxe/52-54-00-00-0d-01 ")) << ReadFile(events_);

  // Every spelling of the MAC, upper and lower case, gets the same script.
  const std::string script = Curl("/ipxe/52-54-00-00-0d-01");
  ASSERT_EQ(script.rfind("200\n#!ipxe", 0), 0u) << script;
  for (const char* spelling :
       {"52:54:00:00:0d:01", "52:54:00:00:0D:01", "52-54-00-00-0D-01", "525400000d01", "525400000D01"}) {
    EXPECT_EQ(Curl(std::string("/ipxe/") + spelling), script) << spelling;
  }
  // URLs in it: dashes, lowercase; the colon form only as the displayed MAC.
  EXPECT_TRUE(Has(script, "kernel http://192.0.2.1:8080/boot/52-54-00-00-0d-01/vmlinuz ")) << script;
  EXPECT_TRUE(Has(script, "rb.callback=http://192.0.2.1:8080/booted/52-54-00-00-0d-01")) << script;
  EXPECT_FALSE(Has(script, "/52:54")) << script;
  EXPECT_FALSE(Has(script, "0D")) << script;

  // The other routes accept every spelling too.
  EXPECT_EQ(Curl("/boot/52:54:00:00:0D:01/vmlinuz"), "200\nnot really a kernel") << "artifact by MAC";
  EXPECT_EQ(Curl("/booted/525400000D01", true), "200\nok\n");
  // The kernel's record is made once its body went out (after curl may
  // have returned): wait for it.
  std::string events;
  EXPECT_TRUE(WaitUntil([&] {
    events = Curl("/api/v1/events/52-54-00-00-0D-01");
    return Has(events, "\"stage\":\"kernel\"");
  })) << events;
  EXPECT_TRUE(Has(events, "\"stage\":\"booted\"")) << events;
  EXPECT_TRUE(Has(events, "\"mac\":\"52:54:00:00:0d:01\"")) << events;
}

TEST_F(ExplainTest, RunningBootdExplainsGoodUnknownAndBrokenMachines) {
  // Some records first: the script and the booted callback.
  lab_->Exec(lab_->FullName("cli"), {"ip", "addr", "add", "192.0.2.77/24", "dev", "eth0"});
  ASSERT_EQ(Curl("/ipxe/52-54-00-00-0d-01").rfind("200\n", 0), 0u);
  ASSERT_EQ(Curl("/booted/52-54-00-00-0d-01", true), "200\nok\n");

  int rc = -1;
  std::string out = Explain({"52:54:00:00:0D:01"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(Has(out, "running bootd")) << out;
  EXPECT_TRUE(Has(out, "verdict: OK")) << out;
  EXPECT_TRUE(Has(out, "machine: node1")) << out;
  // BIOS PXE: the boot file from the TFTP root; iPXE: the script URL.
  EXPECT_TRUE(Has(out, "67=undionly.kpxe")) << out;
  EXPECT_TRUE(Has(out, "(present)")) << out;
  EXPECT_TRUE(Has(out, "67=http://192.0.2.1:8080/ipxe/52-54-00-00-0d-01")) << out;
  EXPECT_TRUE(Has(out, "  | kernel http://192.0.2.1:8080/boot/52-54-00-00-0d-01/vmlinuz")) << out;
  // The records of what just happened.
  EXPECT_TRUE(Has(out, "script ipxe")) << out;
  EXPECT_TRUE(Has(out, "booted from 192.0.2.77")) << out;
  EXPECT_TRUE(Has(out, "last recorded stage: booted")) << out;
  // Explaining recorded nothing: the same records as before.
  EXPECT_EQ(Count(Explain({"node1"}), " script ipxe"), 1u);

  out = Explain({"52:54:00:00:0d:99"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(Has(out, "verdict: UNKNOWN MAC: no Machine on rack rack-a lists it")) << out;
  EXPECT_TRUE(Has(out, "boot file: NONE: unknown machine")) << out;

  // The broken profile: node2 is not served, and the manifest problem says why.
  out = Explain({kBrokenMac}, &rc);
  EXPECT_TRUE(Has(out, "verdict: UNKNOWN MAC")) << out;
  EXPECT_TRUE(Has(out, "manifest problems")) << out;
  EXPECT_TRUE(Has(out, "params.rootdev")) << out;

  out = Explain({"node3"}, &rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_TRUE(Has(out, "neither a MAC address nor a machine")) << out;

  // The admin socket: owner-only, plain HTTP for curl too.
  const std::string socket = Wd() + "/state/admin.sock";
  struct stat st {};
  ASSERT_EQ(stat(socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string via_curl;
  ASSERT_EQ(lab_->Run("srv", {"curl", "-sSf", "--unix-socket", socket, "http://bootd/v1/explain/node1"}, &via_curl), 0)
      << via_curl;
  EXPECT_TRUE(Has(via_curl, "verdict: OK")) << via_curl;

  // Offline: the manifests, no records.
  out = Explain({"node1", "--offline"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(Has(out, "(offline)")) << out;
  EXPECT_TRUE(Has(out, "verdict: OK")) << out;
  EXPECT_TRUE(Has(out, "not available offline")) << out;

  // bootd gone: explain says so and reads the manifests itself; the socket is removed.
  bootd_->Kill(SIGTERM);
  EXPECT_EQ(bootd_->Wait(std::chrono::seconds(60)), 0) << bootd_->Output();
  EXPECT_FALSE(std::filesystem::exists(socket));
  out = Explain({kBrokenMac}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(Has(out, "no bootd answers at")) << out;
  EXPECT_TRUE(Has(out, "params.rootdev")) << out;
}

}  // namespace
}  // namespace rackboot::testing::dhcp
