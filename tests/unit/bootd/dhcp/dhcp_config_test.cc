// The DHCP fields of bootd's config (bootd/config/bootd_config.cc): defaults,
// bootFiles overrides, and strict rejection of unknown client classes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
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

TEST(DhcpConfig, DefaultsAreDebianIpxeBinariesAndFastBootSettings) {
  std::string path = WriteConfig("");
  BootdConfig c = LoadBootdConfig(path);
  std::remove(path.c_str());
  EXPECT_EQ(c.dhcp.boot_files.at("x86_64-bios"), "undionly.kpxe");
  EXPECT_EQ(c.dhcp.boot_files.at("x86_64-uefi"), "ipxe.efi");
  EXPECT_TRUE(c.dhcp.ipxe_no_proxy_wait);
  EXPECT_EQ(c.dhcp.rate_limit_per_mac, 20u);
  EXPECT_EQ(c.dhcp.queue_capacity, 4096u);
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
  try {
    LoadBootdConfig(path);
    ADD_FAILURE() << "accepted an unknown client class";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bootFiles"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rackboot::bootd
