#include "bootd/boot_configs/rendered_boot_config_files.h"

#include <gtest/gtest.h>

namespace rackboot::bootd {
namespace {

Assignment Machine(const std::string& name, const std::string& mac, const std::string& ip) {
  Assignment a;
  a.machine_name = "default/" + name;
  a.hostname = name;
  a.rack = "rack-a";
  a.uuid = "11223344-5566-7788-99aa-bbccddeeff01";
  InterfaceAssignment i;
  i.mac = *MacAddress::Parse(mac);
  i.ipv4 = *Ipv4Address::Parse(ip);
  i.primary = true;
  a.interfaces.push_back(i);
  a.boot.profile_name = "debian";
  a.boot.kernel.url = "debian/vmlinuz";
  a.boot.initrds.push_back({"debian/initrd.img", ""});
  a.boot.cmdline_template = "console=ttyS0 hostname={{machine.hostname}}";
  return a;
}

class RenderedBootConfigFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { store.ReplaceAll({Machine("node1", "52:54:00:12:34:56", "10.77.0.21")}); }
  RenderedBootConfigFiles Files() {
    return RenderedBootConfigFiles({"http://10.77.0.1:8080", "rack-a", {}}, store, &events);
  }
  AssignmentStore store;
  BootEventRecorder events;
  const Ipv4Address client = *Ipv4Address::Parse("10.77.0.21");
};

TEST_F(RenderedBootConfigFilesTest, PxelinuxByMacRendersTheMachinesKernelAndCmdline) {
  auto files = Files();
  auto cfg = files.Render("pxelinux.cfg/01-52-54-00-12-34-56", client);
  ASSERT_TRUE(cfg.has_value());
  EXPECT_NE(cfg->find("KERNEL http://10.77.0.1:8080/"), std::string::npos) << *cfg;
  EXPECT_NE(cfg->find("vmlinuz"), std::string::npos) << *cfg;
  EXPECT_NE(cfg->find("hostname=node1"), std::string::npos) << *cfg;
  auto recorded = events.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].stage, BootStage::kScript);
  EXPECT_EQ(recorded[0].bytes, cfg->size());
}

TEST_F(RenderedBootConfigFilesTest, GrubByMacAndPxelinuxByUuidHexIpAndDefault) {
  auto files = Files();
  auto grub = files.Render("grub.cfg-01-52-54-00-12-34-56", client);
  ASSERT_TRUE(grub.has_value());
  // GRUB addresses HTTP files as (http,host:port)/path.
  EXPECT_NE(grub->find("linux (http,10.77.0.1:8080)/"), std::string::npos) << *grub;
  EXPECT_TRUE(files.Render("pxelinux.cfg/11223344-5566-7788-99aa-bbccddeeff01", client).has_value());
  // 10.77.0.21 = 0A4D0015; loaders shorten the hex name one digit at a time.
  EXPECT_TRUE(files.Render("pxelinux.cfg/0A4D0015", client).has_value());
  EXPECT_TRUE(files.Render("pxelinux.cfg/0A4D", client).has_value());
  EXPECT_TRUE(files.Render("pxelinux.cfg/default", client).has_value());
}

TEST_F(RenderedBootConfigFilesTest, UnknownOrForeignNamesAreNotVirtual) {
  auto files = Files();
  EXPECT_FALSE(files.Render("pxelinux.cfg/01-52-54-00-99-99-99", client).has_value());
  // A hex name that is not this client's address never picks a machine.
  EXPECT_FALSE(files.Render("pxelinux.cfg/C0A80001", client).has_value());
  // default from an address no machine has.
  EXPECT_FALSE(files.Render("pxelinux.cfg/default", *Ipv4Address::Parse("10.77.0.99")).has_value());
  EXPECT_FALSE(files.Render("undionly.kpxe", client).has_value());
}

TEST_F(RenderedBootConfigFilesTest, BootingDisabledGetsNoConfig) {
  Assignment a = Machine("node1", "52:54:00:12:34:56", "10.77.0.21");
  a.allow_pxe = false;
  store.ReplaceAll({a});
  auto files = Files();
  EXPECT_FALSE(files.Render("pxelinux.cfg/01-52-54-00-12-34-56", client).has_value());
}

TEST_F(RenderedBootConfigFilesTest, UnsafeValueIsAnErrorNotAConfig) {
  Assignment a = Machine("node1", "52:54:00:12:34:56", "10.77.0.21");
  a.parameters["extra"] = "x\nMENU HIDDEN\nLABEL evil";
  a.boot.cmdline_template = "console=ttyS0 {{params.extra}}";
  store.ReplaceAll({a});
  auto files = Files();
  EXPECT_FALSE(files.Render("pxelinux.cfg/01-52-54-00-12-34-56", client).has_value());
  auto recorded = events.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].stage, BootStage::kError);
}

}  // namespace
}  // namespace rackboot::bootd
