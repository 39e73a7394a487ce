#include "bootd/tftp/boot_config_path.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::tftp {
namespace {

using Key = BootConfigPath::Key;
using Loader = BootConfigPath::Loader;

TEST(BootConfigPathTest, PxelinuxChainFromSeed001) {
  // The order pxelinux tries for uuid b8945908-..., MAC 88:99:AA:BB:CC:DD, IP 192.168.2.91.
  auto uuid = ParseBootConfigPath("pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d");
  ASSERT_TRUE(uuid);
  EXPECT_EQ(uuid->key, Key::kUuid);
  EXPECT_EQ(uuid->uuid, "b8945908-d6a6-41a9-611d-74a6ab80b83d");
  auto mac = ParseBootConfigPath("pxelinux.cfg/01-88-99-aa-bb-cc-dd");
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->key, Key::kMac);
  EXPECT_EQ(mac->mac.ToString(), "88:99:aa:bb:cc:dd");
  const std::string full = "C0A8025B";
  const Ipv4Address ip = *Ipv4Address::Parse("192.168.2.91");
  for (size_t n = full.size(); n >= 1; --n) {
    auto hex = ParseBootConfigPath("pxelinux.cfg/" + full.substr(0, n));
    ASSERT_TRUE(hex) << n;
    EXPECT_EQ(hex->key, Key::kHexIp);
    EXPECT_EQ(hex->hex_ip, full.substr(0, n));
    EXPECT_TRUE(HexIpMatches(hex->hex_ip, ip));
  }
  auto def = ParseBootConfigPath("pxelinux.cfg/default");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->key, Key::kDefault);
  EXPECT_EQ(def->loader, Loader::kPxelinux);
}

TEST(BootConfigPathTest, GrubNames) {
  auto mac = ParseBootConfigPath("grub.cfg-01-50-98-b8-1a-34-8d");
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->loader, Loader::kGrub);
  EXPECT_EQ(mac->key, Key::kMac);
  auto hex = ParseBootConfigPath("grub/grub.cfg-0a01011e");
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->hex_ip, "0A01011E");
  EXPECT_TRUE(HexIpMatches(hex->hex_ip, *Ipv4Address::Parse("10.1.1.30")));
  EXPECT_FALSE(HexIpMatches(hex->hex_ip, *Ipv4Address::Parse("10.1.1.31")));
  auto plain = ParseBootConfigPath("grub.cfg");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->key, Key::kDefault);
}

TEST(BootConfigPathTest, OtherNamesAreNotConfigs) {
  for (const char* p : {"pxelinux.0", "pxelinux.cfg/", "pxelinux.cfg/01-88-99-aa-bb-cc", "pxelinux.cfg/C0A8025B0",
                        "pxelinux.cfg/xyz", "grub.cfg-zz", "undionly.kpxe", "grubx64.efi"}) {
    EXPECT_FALSE(ParseBootConfigPath(p)) << p;
  }
}

}  // namespace
}  // namespace rackboot::bootd::tftp
