// bootd explain's core: the real DHCP engine, boot-file choice and script
// answer behind one report per MAC, with secrets masked and nothing changed.
#include "bootd/explain/explanation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bootd/leases/memory_lease_store.h"

namespace rackboot::bootd::explain {
namespace {

Ipv4Address Ip(const char* s) {
  return *Ipv4Address::Parse(s);
}
MacAddress Mac(const char* s) {
  return *MacAddress::Parse(s);
}
constexpr int64_t kNow = 1'800'000'000;
constexpr const char* kSecret = "s3cret-password-hash";

class ExplanationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tftp_root_ = std::filesystem::temp_directory_path() / ("explain-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(tftp_root_);
    std::ofstream(tftp_root_ / "undionly.kpxe") << "rom";
    config_.rack = "rack-a";
    config_.dhcp.mode = DhcpMode::kServer;
    config_.dhcp.interface = "eth0";
    config_.dhcp.server_address = Ip("192.0.2.1");
    DhcpPoolConfig pool;
    pool.subnet = *Ipv4Prefix::Parse("192.0.2.0/24");
    pool.range_start = Ip("192.0.2.100");
    pool.range_end = Ip("192.0.2.109");
    pool.router = Ip("192.0.2.1");
    config_.dhcp.pools = {pool};
    config_.tftp.enabled = true;
    config_.tftp.root = tftp_root_.string();
    config_.http.enabled = true;
    config_.http.public_url = "http://192.0.2.1:8080";
    state_.config = &config_;
    state_.assignments = &assignments_;
    state_.leases = &leases_;
    state_.events = &events_;
    state_.source = "test";
    state_.now_unix = kNow;
  }
  void TearDown() override { std::filesystem::remove_all(tftp_root_); }

  static Assignment Machine(const char* name, const char* mac) {
    Assignment a;
    a.machine_name = name;
    a.rack = "rack-a";
    a.hostname = "node";
    a.interfaces.push_back({Mac(mac), Ip("192.0.2.50"), true});
    a.boot.profile_name = "debian";
    a.boot.kernel.url = "vmlinuz";
    a.boot.initrds = {{"initrd.img", ""}};
    a.boot.cmdline_template = "console=ttyS0 ds=nocloud-net;s={{config_base}}";
    a.boot.install_configs["user-data"] = "#cloud-config\npassword: {{params.password}}\n";
    a.secret_parameters["password"] = kSecret;
    return a;
  }

  std::string Explained(const std::string& query) {
    auto text = Explain(state_, query);
    EXPECT_TRUE(text.ok()) << text.error().message;
    return text.ok() ? *text : "";
  }

  std::filesystem::path tftp_root_;
  BootdConfig config_;
  AssignmentStore assignments_;
  MemoryLeaseStore leases_;
  BootEventRecorder events_;
  ExplainState state_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ExplanationTest, NormalMachineShowsTheBootFileAndTheScriptWithSecretsMasked) {
  assignments_.ReplaceAll({Machine("default/node1", "52:54:00:12:34:56")});
  const std::string out = Explained("52:54:00:12:34:56");
  EXPECT_TRUE(Has(out, "verdict: OK")) << out;
  EXPECT_TRUE(Has(out, "machine: default/node1")) << out;
  // BIOS PXE: the OFFER of the reserved address with undionly.kpxe, present in TFTP.
  EXPECT_TRUE(Has(out, "DISCOVER -> OFFER address 192.0.2.50")) << out;
  EXPECT_TRUE(Has(out, "67=undionly.kpxe")) << out;
  EXPECT_TRUE(Has(out, "from tftp.root " + tftp_root_.string() + " (present)")) << out;
  // iPXE: the script URL, MAC spelled with dashes.
  EXPECT_TRUE(Has(out, "67=http://192.0.2.1:8080/ipxe/52-54-00-12-34-56")) << out;
  // The script as bootd serves it, token masked, the secret nowhere.
  EXPECT_TRUE(Has(out, "  | kernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/vmlinuz console=ttyS0")) << out;
  EXPECT_TRUE(Has(out, "/config/52-54-00-12-34-56/t/MASKED/")) << out;
  EXPECT_TRUE(Has(out, "user-data: token, renders (")) << out;
  EXPECT_FALSE(Has(out, kSecret)) << out;
  EXPECT_FALSE(Has(out, "v1.")) << "no real config token: " << out;
}

TEST_F(ExplanationTest, AnyMacSpellingAndTheMachineNameFindTheSameMachine) {
  assignments_.ReplaceAll({Machine("default/node1", "52:54:00:12:34:56")});
  for (const char* q : {"52-54-00-12-34-56", "52:54:00:12:34:56", "525400123456", "52-54-00-12-34-56"}) {
    EXPECT_TRUE(Has(Explained(q), "machine: default/node1")) << q;
  }
  EXPECT_TRUE(Has(Explained("52:54:00:12:34:56"), "machine: default/node1"));
  EXPECT_TRUE(Has(Explained("5254001234AB"), "machine: NONE"));
  EXPECT_TRUE(Has(Explained("node1"), "bootd explain 52:54:00:12:34:56"));
  EXPECT_TRUE(Has(Explained("default/node1"), "bootd explain 52:54:00:12:34:56"));
  auto missing = Explain(state_, "node2");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Has(missing.error().message, "neither a MAC address nor a machine"));
}

TEST_F(ExplanationTest, UnknownMacGetsALeaseWithoutBootFileInServerModeAndSilenceInProxyMode) {
  std::string out = Explained("52:54:00:99:99:99");
  EXPECT_TRUE(Has(out, "verdict: UNKNOWN MAC: no Machine on rack rack-a lists it")) << out;
  EXPECT_TRUE(Has(out, "without a boot file")) << out;
  EXPECT_TRUE(Has(out, "boot file: NONE: unknown machine")) << out;
  EXPECT_TRUE(Has(out, "rackboot: no machine with MAC 52:54:00:99:99:99")) << "the discovery script: " << out;

  config_.dhcp.mode = DhcpMode::kProxy;
  out = Explained("52:54:00:99:99:99");
  EXPECT_TRUE(Has(out, "ProxyDHCP stays silent")) << out;
  EXPECT_TRUE(Has(out, "no reply (unknown_client)")) << out;
}

TEST_F(ExplanationTest, ProxyModeShowsTheBootServerExchange) {
  assignments_.ReplaceAll({Machine("default/node1", "52:54:00:12:34:56")});
  config_.dhcp.mode = DhcpMode::kProxy;
  const std::string out = Explained("52:54:00:12:34:56");
  EXPECT_TRUE(Has(out, "DISCOVER -> OFFER\n")) << "proxy offers carry no address: " << out;
  EXPECT_TRUE(Has(out, "REQUEST to port 4011 -> ACK")) << out;
}

TEST_F(ExplanationTest, BootOnceCompletedSaysNetbootIsOffAndHowToTurnItOn) {
  Assignment a = Machine("default/node1", "52:54:00:12:34:56");
  a.boot_once = true;
  a.allow_pxe = false;
  a.reprovision = "round-1";
  assignments_.ReplaceAll({a});
  const std::string out = Explained("52:54:00:12:34:56");
  EXPECT_TRUE(Has(out, "verdict: NETBOOT OFF: bootOnce: the machine has already booted")) << out;
  EXPECT_TRUE(Has(out, "rackboot.io/reprovision")) << out;
  EXPECT_TRUE(Has(out, "boot file: NONE: booting disabled")) << out;
  EXPECT_TRUE(Has(out, "netboot is off for MAC")) << "the script bootd serves: " << out;
}

TEST_F(ExplanationTest, TemplateProblemNamesTheVariableAndTheField) {
  Assignment a = Machine("default/node1", "52:54:00:12:34:56");
  a.boot.cmdline_template = "console=ttyS0 root={{params.rootdev}}";
  assignments_.ReplaceAll({a});
  const std::string out = Explained("52:54:00:12:34:56");
  EXPECT_TRUE(Has(out, "verdict: SCRIPT ERROR: BootProfile debian: spec.cmdline")) << out;
  EXPECT_TRUE(Has(out, "params.rootdev")) << out;
  EXPECT_TRUE(Has(out, "could not be rendered")) << "the script bootd serves: " << out;
}

TEST_F(ExplanationTest, MissingBootFileAndTftpOffAreNamed) {
  assignments_.ReplaceAll({Machine("default/node1", "52:54:00:12:34:56")});
  std::filesystem::remove(tftp_root_ / "undionly.kpxe");
  EXPECT_TRUE(Has(Explained("52:54:00:12:34:56"), "MISSING from tftp.root"));
  config_.tftp.enabled = false;
  EXPECT_TRUE(Has(Explained("52:54:00:12:34:56"), "TFTP is OFF in this bootd"));
}

TEST_F(ExplanationTest, RecordsAndFingerprintOfTheLastAttempt) {
  assignments_.ReplaceAll({Machine("default/node1", "52:54:00:12:34:56")});
  BootEvent e;
  e.mac = Mac("52:54:00:12:34:56");
  e.stage = BootStage::kDhcpDiscover;
  e.unix_millis = kNow * 1000;
  e.fingerprint.client_class = "x86_64-uefi";
  e.fingerprint.client_arch = 7;
  e.fingerprint.vendor_class = "PXEClient:Arch:00007:UNDI:003016";
  events_.Record(e);
  e.stage = BootStage::kBootFile;
  e.detail = "ipxe.efi";
  e.fingerprint = {};
  events_.Record(e);
  const std::string out = Explained("52:54:00:12:34:56");
  EXPECT_TRUE(Has(out, "dhcp_discover")) << out;
  EXPECT_TRUE(Has(out, "boot_file ipxe.efi")) << out;
  EXPECT_TRUE(Has(out, "last DHCP fingerprint")) << out;
  EXPECT_TRUE(Has(out, "class x86_64-uefi, option 93 = 7")) << out;
  EXPECT_TRUE(Has(out, "last recorded stage: boot_file")) << out;
  state_.events = nullptr;
  EXPECT_TRUE(Has(Explained("52:54:00:12:34:56"), "not available offline"));
}

TEST_F(ExplanationTest, ChangesNothing) {
  assignments_.ReplaceAll({Machine("default/node1", "52:54:00:12:34:56")});
  Explained("52:54:00:12:34:56");
  Explained("52:54:00:99:99:99");
  EXPECT_EQ(leases_.size(), 0u);
  EXPECT_TRUE(events_.EventsFor(Mac("52:54:00:12:34:56")).empty());
  EXPECT_TRUE(events_.EventsFor(Mac("52:54:00:99:99:99")).empty());
}

}  // namespace
}  // namespace rackboot::bootd::explain
