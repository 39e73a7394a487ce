// `bootd --check-config` against the real host, in a network namespace the
// test owns: it runs every check start-up runs (interface, serverAddress on
// it, directories, boot files served by something), prints what bootd
// would serve, and for every config it rejects, a real start-up of the same
// config fails with the same message. The shipped example config, adapted
// to the lab's directories, passes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

namespace fs = std::filesystem;

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class BootdCheckConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    lab_ = std::make_unique<NetnsLab>("chkcfg");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
    // The example's rack network: eth0 carries 10.77.0.1/24.
    lab_->AddVeth("srv", "eth0", "cli", "eth0");
    lab_->SetAddress("srv", "eth0", "10.77.0.1/24");
    lab_->SetUp("srv", "eth0");
    for (const char* d : {"tftp", "artifacts", "manifests"}) fs::create_directories(wd() + "/" + d);
    for (const char* f : {"tftp/undionly.kpxe", "tftp/ipxe.efi", "tftp/ipxe-arm64.efi", "artifacts/ipxe.efi",
                          "artifacts/ipxe-arm64.efi"}) {
      WriteFile(wd() + "/" + f, "firmware");
    }
  }

  std::string wd() const { return lab_->work_dir(); }

  // deploy/examples/bootd.yaml with its directories moved into the lab.
  std::string Example() const {
    std::string y = ReadFile(SourcePath("deploy/examples/bootd.yaml"));
    y = Replace(y, "stateDir: /var/lib/rackboot", "stateDir: " + wd() + "/state");
    y = Replace(y, "manifestDir: /etc/rackboot/manifests", "manifestDir: " + wd() + "/manifests");
    y = Replace(y, "root: /srv/rackboot/tftp", "root: " + wd() + "/tftp");
    y = Replace(y, "artifactRoot: /srv/rackboot/artifacts", "artifactRoot: " + wd() + "/artifacts");
    y = Replace(y, "artifactCacheDir: /var/cache/rackboot/artifacts", "artifactCacheDir: " + wd() + "/cache");
    return y;
  }

  std::string Write(const std::string& name, const std::string& yaml) {
    const std::string path = wd() + "/" + name;
    WriteFile(path, yaml);
    return path;
  }

  int CheckConfig(const std::string& path, std::string* out) {
    return lab_->Run("srv", {BinaryPath("bootd/bootd"), "--check-config", "--config", path}, out);
  }

  // Starts bootd for real and returns its exit code once it exits (a
  // rejected config exits at once; a bound only for a broken bootd).
  int StartAndWaitForExit(const std::string& path, std::string* out) {
    auto p = lab_->Spawn("srv", {BinaryPath("bootd/bootd"), "--config", path});
    const int code = p->Wait(std::chrono::seconds(60));
    *out = p->Output();
    return code;
  }

  // For a config --check-config rejects: the line it names, and a real
  // start-up rejects it with the same line.
  void ExpectRejectedAlike(const std::string& path, const std::string& location, const std::string& field) {
    std::string check_out, start_out;
    EXPECT_EQ(CheckConfig(path, &check_out), 1) << check_out;
    EXPECT_NE(check_out.find(location), std::string::npos) << check_out;
    EXPECT_NE(check_out.find("field '" + field + "'"), std::string::npos) << check_out;
    EXPECT_EQ(StartAndWaitForExit(path, &start_out), 1) << start_out;
    const size_t at = check_out.find(location);
    ASSERT_NE(at, std::string::npos);
    const std::string message = check_out.substr(at, check_out.find('\n', at) - at);
    EXPECT_NE(start_out.find(message), std::string::npos) << "check-config said:\n"
                                                          << message << "\nstart-up said:\n"
                                                          << start_out;
  }

  std::unique_ptr<NetnsLab> lab_;
};

TEST_F(BootdCheckConfigTest, ShippedExampleChecksOkAndSaysWhatItServes) {
  std::string out;
  ASSERT_EQ(CheckConfig(Write("example.yaml", Example()), &out), 0) << out;
  EXPECT_NE(out.find("configuration ok: rack=rack-a dhcp=server tftp=on http=on"), std::string::npos) << out;
  EXPECT_NE(out.find("dhcp: server on eth0, server address 10.77.0.1"), std::string::npos) << out;
  EXPECT_NE(out.find("pool 10.77.0.0/24: 10.77.0.100-10.77.0.199"), std::string::npos) << out;
  EXPECT_NE(out.find("boot file x86_64-bios: tftp undionly.kpxe"), std::string::npos) << out;
  EXPECT_NE(out.find("iPXE: http://10.77.0.1:8080/ipxe/<mac>"), std::string::npos) << out;
  EXPECT_EQ(out.find("warning:"), std::string::npos) << out;
}

TEST_F(BootdCheckConfigTest, ServerAddressNotOnTheInterfaceFailsCheckAndStartAlike) {
  const std::string path =
      Write("wrong-address.yaml", Replace(Example(), "serverAddress: 10.77.0.1", "serverAddress: 10.99.0.1"));
  ExpectRejectedAlike(path, path + ":14:", "dhcp.serverAddress");
}

TEST_F(BootdCheckConfigTest, MissingInterfaceFailsCheckAndStartAlike) {
  const std::string path = Write("no-iface.yaml", Replace(Example(), "interface: eth0", "interface: eth7"));
  ExpectRejectedAlike(path, path + ":13:", "dhcp.interface");
}

TEST_F(BootdCheckConfigTest, MissingTftpRootFailsCheckAndStartAlike) {
  const std::string path = Write("no-root.yaml", Replace(Example(), wd() + "/tftp", wd() + "/nonexistent"));
  ExpectRejectedAlike(path, path + ":24:", "tftp.root");
}

TEST_F(BootdCheckConfigTest, MissingManifestDirFailsCheckAndStartAlike) {
  const std::string path = Write("no-manifests.yaml", Replace(Example(), wd() + "/manifests", wd() + "/gone"));
  ExpectRejectedAlike(path, path + ":7:", "manifestDir");
}

TEST_F(BootdCheckConfigTest, OfferedTftpBootFileWithTftpOffFailsCheckAndStartAlike) {
  std::string y = Replace(Example(), "tftp:\n  listen: 0.0.0.0:69\n  root: " + wd() + "/tftp\n", "");
  y = Replace(y, "  pools:\n", "  bootFiles:\n    x86_64-bios: undionly.kpxe\n  pools:\n");
  const std::string path = Write("tftp-off.yaml", y);
  ExpectRejectedAlike(path, path + ":16:", "dhcp.bootFiles.x86_64-bios");
}

// Left out, derived from the interface: the server address, and from it
// the URL clients are told. The started bootd hands out that URL.
TEST_F(BootdCheckConfigTest, ServerAddressAndPublicUrlAreDerivedFromTheInterface) {
  std::string y = Replace(Example(), "  serverAddress: 10.77.0.1\n", "");
  y = Replace(y, "  publicUrl: http://10.77.0.1:8080\n", "");
  y = Replace(y, "metrics:\n  listen: 0.0.0.0:9100\n", "");
  const std::string path = Write("derived.yaml", y);
  std::string out;
  ASSERT_EQ(CheckConfig(path, &out), 0) << out;
  EXPECT_NE(out.find("derived: " + path), std::string::npos) << out;
  EXPECT_NE(out.find("field 'dhcp.serverAddress': 10.77.0.1 (from eth0)"), std::string::npos) << out;
  EXPECT_NE(out.find("field 'http.publicUrl': http://10.77.0.1:8080"), std::string::npos) << out;

  auto bootd = StartBootd(*lab_, "srv", y);
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  // An unknown MAC's iPXE request gets the discovery script: served under
  // the derived URL on the derived address.
  std::string script;
  ASSERT_EQ(lab_->Run("cli",
                      {"sh", "-c",
                       "ip addr add 10.77.0.50/24 dev eth0 && ip link set eth0 up && "
                       "curl -sS http://10.77.0.1:8080/ipxe/52:54:00:00:00:99"},
                      &script),
            0)
      << script;
  EXPECT_NE(script.find("#!ipxe"), std::string::npos) << script;
}

}  // namespace
}  // namespace rackboot::testing::dhcp
