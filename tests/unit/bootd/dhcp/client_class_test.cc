#include "bootd/dhcp/client_class.h"

#include <gtest/gtest.h>

#include "tests/unit/bootd/dhcp/real_client_packets.h"

namespace rackboot::bootd::dhcp {
namespace {

using testdata::Header;
using testdata::Opt;
using testdata::OptStr;

ClientInfo Classify(const std::vector<uint8_t>& bytes) {
  auto p = DecodePacket4(bytes);
  EXPECT_TRUE(p.ok());
  return ClassifyClient(*p);
}

std::vector<uint8_t> WithArch(uint16_t arch, const std::string& vendor_class = "PXEClient") {
  auto b = Header();
  Opt(b, 53, {1});
  Opt(b, 93, {static_cast<uint8_t>(arch >> 8), static_cast<uint8_t>(arch)});
  if (!vendor_class.empty()) OptStr(b, 60, vendor_class);
  b.push_back(255);
  return b;
}

TEST(ClassifyClient, SeaBiosIpxeRomIsIpxeOnBios) {
  ClientInfo c = Classify(testdata::SeaBiosIpxeDiscover());
  EXPECT_EQ(c.kind, BootClientKind::kIpxe);
  EXPECT_EQ(c.arch, ClientArch::kX86Bios);
  EXPECT_EQ(c.class_name(), "x86_64-bios");
  EXPECT_TRUE(c.pxe_vendor_class);
  EXPECT_TRUE(c.ipxe_encap);
  EXPECT_EQ(c.user_classes, std::vector<std::string>{"iPXE"});
  EXPECT_EQ(c.uuid, "11223344-5566-7788-99aa-bbccddeeff01");
  EXPECT_EQ(c.max_message_size, 1472);
  EXPECT_EQ(c.client_id, std::string("\x01\x52\x54\x00\x12\x34\x56", 7));
  ASSERT_TRUE(c.ndi);
  EXPECT_EQ(c.ndi->major, 2);
  EXPECT_EQ(c.requested.front(), 1);
  EXPECT_EQ(c.requested.size(), 23u);
}

TEST(ClassifyClient, OvmfNativePxeIsFirmwarePxeOnX64Uefi) {
  ClientInfo c = Classify(testdata::OvmfPxeDiscover());
  EXPECT_EQ(c.kind, BootClientKind::kFirmwarePxe);
  EXPECT_EQ(c.arch, ClientArch::kX64Uefi);
  EXPECT_EQ(c.class_name(), "x86_64-uefi");
  EXPECT_TRUE(c.client_id.empty());
  EXPECT_EQ(c.Fingerprint(),
            "60=PXEClient:Arch:00007:UNDI:003000;93=7;94=1.3.0;97=11223344-5566-7788-99aa-bbccddeeff01;"
            "55=1,2,3,4,5,6,12,13,15,17,18,22,23,28,40,41,42,43,50,51,54,58,59,60,66,67,97,128,129,130,131,132,133,"
            "134,135");
}

TEST(ClassifyClient, IpxeEfiWithAllZeroUuidHasNoUuidIdentity) {
  ClientInfo c = Classify(testdata::IpxeEfiDiscover());
  EXPECT_EQ(c.kind, BootClientKind::kIpxe);
  EXPECT_EQ(c.arch, ClientArch::kX64Uefi);
  EXPECT_TRUE(c.uuid.empty());
}

TEST(ClassifyClient, ArchitectureTypesFromIanaRegistry) {
  EXPECT_EQ(Classify(WithArch(0)).arch, ClientArch::kX86Bios);
  EXPECT_EQ(Classify(WithArch(6)).class_name(), "i386-uefi");
  EXPECT_EQ(Classify(WithArch(7)).class_name(), "x86_64-uefi");
  EXPECT_EQ(Classify(WithArch(9)).class_name(), "x86_64-uefi");  // RFC 4578 errata 4624
  EXPECT_EQ(Classify(WithArch(10)).class_name(), "arm32-uefi");
  EXPECT_EQ(Classify(WithArch(11)).class_name(), "arm64-uefi");
  ClientInfo other = Classify(WithArch(2));
  EXPECT_EQ(other.arch, ClientArch::kOther);
  EXPECT_EQ(other.class_name(), "");
  EXPECT_EQ(*other.arch_type, 2);
}

TEST(ClassifyClient, UefiHttpBootByArchOrVendorClass) {
  ClientInfo x64 = Classify(WithArch(16, "HTTPClient:Arch:00016:UNDI:003001"));
  EXPECT_EQ(x64.kind, BootClientKind::kUefiHttp);
  EXPECT_EQ(x64.class_name(), "x86_64-uefi-http");
  ClientInfo arm = Classify(WithArch(19, ""));
  EXPECT_EQ(arm.kind, BootClientKind::kUefiHttp);
  EXPECT_EQ(arm.class_name(), "arm64-uefi-http");
}

TEST(ClassifyClient, FallsBackToOption60ArchWithoutOption93) {
  auto b = Header();
  Opt(b, 53, {1});
  OptStr(b, 60, "PXEClient:Arch:00011:UNDI:003000");
  b.push_back(255);
  ClientInfo c = Classify(b);
  EXPECT_EQ(c.arch, ClientArch::kArm64Uefi);
  EXPECT_EQ(c.kind, BootClientKind::kFirmwarePxe);
}

TEST(ClassifyClient, Rfc3004UserClassAndBareOption175MeanIpxe) {
  auto b = Header();
  Opt(b, 53, {1});
  OptStr(b, 77, std::string("\x04iPXE", 5));
  b.push_back(255);
  EXPECT_EQ(Classify(b).kind, BootClientKind::kIpxe);
  b = Header();
  Opt(b, 53, {1});
  Opt(b, 175, {0xeb, 0x03, 0x01, 0x00, 0x00});
  b.push_back(255);
  EXPECT_EQ(Classify(b).kind, BootClientKind::kIpxe);
}

TEST(ClassifyClient, OrdinaryClientIsNotABootClient) {
  auto b = Header();
  Opt(b, 53, {1});
  OptStr(b, 60, "udhcp 1.35.0");
  OptStr(b, 12, "box");
  b.push_back(255);
  ClientInfo c = Classify(b);
  EXPECT_EQ(c.kind, BootClientKind::kNone);
  EXPECT_EQ(c.arch, ClientArch::kUnknown);
  EXPECT_EQ(c.hostname, "box");
  EXPECT_EQ(c.max_message_size, 576);
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
