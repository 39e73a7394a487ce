#include "bootd/agent/assignment_conversion.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::agent {
namespace {

TEST(AssignmentConversionTest, ConvertsEveryField) {
  v1alpha1::HostAssignment in;
  in.set_machine_name("ns/m1");
  in.set_rack("rack-a");
  in.set_hostname("m1");
  auto* i = in.add_interfaces();
  i->set_mac("52-54-00-AB-CD-EF");
  i->set_ipv4("10.0.0.5");
  i->set_primary(true);
  in.set_uuid("4C4C4544-0000-1000-8000-00000000ABCD");
  in.set_architecture("x86_64");
  in.set_firmware("uefi");
  in.set_allow_pxe(true);
  in.set_boot_once(true);
  auto* b = in.mutable_boot();
  b->set_profile_name("debian");
  b->mutable_kernel()->set_url("http://example.invalid/vmlinuz");
  b->mutable_kernel()->set_sha256("ABCDEF");
  b->add_initrds()->set_url("initrd.img");
  b->set_cmdline_template("console=ttyS0");
  (*b->mutable_install_configs())["user-data"] = "#cloud-config";
  auto* m = b->add_menu();
  m->set_name("rescue");
  m->set_label("Rescue");
  b->set_menu_default("rescue");
  b->set_menu_timeout_seconds(5);
  (*in.mutable_parameters())["disk"] = "/dev/sda";
  (*in.mutable_boot_file_overrides())["x86_64-uefi"] = "snponly.efi";
  in.set_generation(42);

  auto r = AssignmentFromProto(in, "rack-a");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Assignment& a = *r;
  EXPECT_EQ(a.machine_name, "ns/m1");
  ASSERT_EQ(a.interfaces.size(), 1u);
  EXPECT_EQ(a.interfaces[0].mac.ToString(), "52:54:00:ab:cd:ef");
  ASSERT_TRUE(a.interfaces[0].ipv4);
  EXPECT_EQ(a.interfaces[0].ipv4->ToString(), "10.0.0.5");
  EXPECT_EQ(a.uuid, "4c4c4544-0000-1000-8000-00000000abcd");
  EXPECT_EQ(a.boot.kernel.sha256, "abcdef");
  EXPECT_EQ(a.boot.initrds.size(), 1u);
  EXPECT_EQ(a.boot.install_configs.at("user-data"), "#cloud-config");
  ASSERT_EQ(a.boot.menu.size(), 1u);
  EXPECT_EQ(a.boot.menu[0].label, "Rescue");
  EXPECT_EQ(a.boot.menu_timeout_seconds, 5);
  EXPECT_EQ(a.parameters.at("disk"), "/dev/sda");
  EXPECT_EQ(a.boot_file_overrides.at("x86_64-uefi"), "snponly.efi");
  EXPECT_EQ(a.generation, 42u);
  EXPECT_TRUE(a.boot_once);
}

TEST(AssignmentConversionTest, RejectsMalformed) {
  v1alpha1::HostAssignment in;
  EXPECT_FALSE(AssignmentFromProto(in, "rack-a").ok());  // no name
  in.set_machine_name("ns/m1");
  EXPECT_FALSE(AssignmentFromProto(in, "rack-a").ok());  // neither MAC nor UUID
  in.set_uuid("abc");
  EXPECT_TRUE(AssignmentFromProto(in, "rack-a").ok());
  in.add_interfaces()->set_mac("not-a-mac");
  EXPECT_FALSE(AssignmentFromProto(in, "rack-a").ok());
}

TEST(AssignmentConversionTest, BootEventToProto) {
  BootEvent e;
  e.sequence = 7;
  e.mac = *MacAddress::Parse("52:54:00:00:00:01");
  e.machine_name = "ns/m1";
  e.stage = BootStage::kKernel;
  e.bytes = 1000;
  e.duration_millis = 12;
  e.detail = "vmlinuz";
  auto p = BootEventToProto(e);
  EXPECT_EQ(p.sequence(), 7u);
  EXPECT_EQ(p.mac(), "52:54:00:00:00:01");
  EXPECT_EQ(p.stage(), v1alpha1::BOOT_STAGE_KERNEL);
  EXPECT_EQ(p.bytes(), 1000u);
  EXPECT_EQ(p.detail(), "vmlinuz");
}

}  // namespace
}  // namespace rackboot::bootd::agent
