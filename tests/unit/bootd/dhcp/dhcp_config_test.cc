// The DHCP fields of bootd's config (bootd/config/bootd_config.cc): defaults,
// bootFiles overrides, and strict rejection of unknown client classes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "bootd/config/bootd_config.h"
#include "common/yaml_config.h"

namespace rackboot::bootd {
namespace {

std::string WriteConfig(const std::string& dhcp_extra) {
  char path[] = "/tmp/rackboot-dhcp-config-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << "rack: rack-a\n"
                         "dhcp:\n"
                         "  mode: proxy\n"
                         "  interface: eth0\n"
                         "  serverAddress: 192.0.2.1\n"
                      << dhcp_extra;
  return path;
}

// The ConfigError loading `path` raises (none: accepted); removes the file.
std::optional<ConfigError> LoadErrorAndRemove(const std::string& path) {
  std::optional<ConfigError> error;
  try {
    LoadBootdConfig(path);
  } catch (const ConfigError& e) {
    error = e;
  }
  std::remove(path.c_str());
  return error;
}

TEST(DhcpConfig, DefaultsAreDebianIpxeBinariesAndFastBootSettings) {
  std::string path = WriteConfig("");
  BootdConfig c = LoadBootdConfig(path);
  std::remove(path.c_str());
  EXPECT_EQ(c.dhcp.boot_files.at("x86_64-bios"), "undionly.kpxe");
  EXPECT_EQ(c.dhcp.boot_files.at("x86_64-uefi"), "ipxe.efi");
  EXPECT_TRUE(c.dhcp.ipxe_no_proxy_wait);
  EXPECT_EQ(c.dhcp.rate_limit_per_mac, 20u);
  EXPECT_EQ(c.dhcp.queue_capacity, 4096u);
  EXPECT_EQ(c.dhcp.ipv6_router_advertisement, Ipv6RouterAdvertisement::kAuto);
}

TEST(DhcpConfig, Ipv6RouterAdvertisementIsAutoOnOrOff) {
  std::string path = WriteConfig("  ipv6RouterAdvertisement: off\n");
  EXPECT_EQ(LoadBootdConfig(path).dhcp.ipv6_router_advertisement, Ipv6RouterAdvertisement::kOff);
  std::remove(path.c_str());
  path = WriteConfig("  ipv6RouterAdvertisement: on\n");
  EXPECT_EQ(LoadBootdConfig(path).dhcp.ipv6_router_advertisement, Ipv6RouterAdvertisement::kOn);
  std::remove(path.c_str());
  path = WriteConfig("  ipv6RouterAdvertisement: yes\n");
  std::optional<ConfigError> e = LoadErrorAndRemove(path);
  ASSERT_TRUE(e) << "accepted ipv6RouterAdvertisement: yes";
  EXPECT_EQ(e->field(), "dhcp.ipv6RouterAdvertisement") << e->what();
  EXPECT_EQ(e->line(), 6) << e->what();
}

TEST(DhcpConfig, BootFilesReplaceOrRemoveSingleClasses) {
  std::string path = WriteConfig(
      "  bootFiles:\n"
      "    x86_64-uefi: snponly.efi\n"
      "    arm64-uefi: \"\"\n"
      "  ipxeNoProxyWait: false\n"
      "  rateLimitPerMac: 0\n"
      "  declineQuarantineSeconds: 30\n");
  BootdConfig c = LoadBootdConfig(path);
  std::remove(path.c_str());
  EXPECT_EQ(c.dhcp.boot_files.at("x86_64-uefi"), "snponly.efi");
  EXPECT_EQ(c.dhcp.boot_files.count("arm64-uefi"), 0u);
  EXPECT_EQ(c.dhcp.boot_files.at("x86_64-bios"), "undionly.kpxe");
  EXPECT_FALSE(c.dhcp.ipxe_no_proxy_wait);
  EXPECT_EQ(c.dhcp.rate_limit_per_mac, 0u);
  EXPECT_EQ(c.dhcp.decline_quarantine_seconds, 30u);
}

TEST(DhcpConfig, UnknownClientClassIsAConfigError) {
  std::string path = WriteConfig(
      "  bootFiles:\n"
      "    x86-uefi: ipxe.efi\n");
  std::optional<ConfigError> e = LoadErrorAndRemove(path);
  ASSERT_TRUE(e) << "accepted an unknown client class";
  EXPECT_NE(std::string(e->what()).find("bootFiles"), std::string::npos) << e->what();
}

TEST(DhcpConfig, StaleDropPingCheckAndPxeMenu) {
  std::string path = WriteConfig("");
  BootdConfig c = LoadBootdConfig(path);
  std::remove(path.c_str());
  EXPECT_EQ(c.dhcp.stale_request_millis, 500u);
  EXPECT_EQ(c.dhcp.ping_check_millis, 0u);  // off by default (docs/dhcp.md)
  EXPECT_TRUE(c.dhcp.pxe_menu.items.empty());

  path = WriteConfig(
      "  staleRequestMillis: 0\n"
      "  pingCheckMillis: 300\n"
      "  pxeMenu:\n"
      "    prompt: Press F8\n"
      "    timeoutSeconds: 255\n"
      "    items:\n"
      "      - {type: 0, description: Local disk}\n"
      "      - {type: 32769, description: rackboot}\n");
  c = LoadBootdConfig(path);
  std::remove(path.c_str());
  EXPECT_EQ(c.dhcp.stale_request_millis, 0u);
  EXPECT_EQ(c.dhcp.ping_check_millis, 300u);
  ASSERT_EQ(c.dhcp.pxe_menu.items.size(), 2u);
  EXPECT_EQ(c.dhcp.pxe_menu.items[1].type, 0x8001);
  EXPECT_EQ(c.dhcp.pxe_menu.items[1].description, "rackboot");
  EXPECT_EQ(c.dhcp.pxe_menu.prompt, "Press F8");
  EXPECT_EQ(c.dhcp.pxe_menu.timeout_seconds, 255);
}

TEST(DhcpConfig, PxeMenuThatDoesNotFitOption43IsAConfigError) {
  std::string items;
  for (int i = 0; i < 10; ++i)
    items += "      - {type: " + std::to_string(i) + ", description: " + std::string(30, 'x') + "}\n";
  std::string path = WriteConfig("  pxeMenu:\n    items:\n" + items);
  std::optional<ConfigError> e = LoadErrorAndRemove(path);
  ASSERT_TRUE(e) << "accepted a 330-byte menu";
  EXPECT_NE(std::string(e->what()).find("pxeMenu"), std::string::npos) << e->what();
}

}  // namespace
}  // namespace rackboot::bootd
