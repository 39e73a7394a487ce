// The synthesized firmware requests must be what the real firmware sends,
// as far as bootd's classification is concerned: each is compared with a
// captured DHCPDISCOVER (tests/unit/bootd/dhcp/real_client_packets.h).
#include "bootd/explain/firmware_requests.h"

#include <gtest/gtest.h>

#include "bootd/dhcp/client_class.h"
#include "tests/unit/bootd/dhcp/real_client_packets.h"

namespace rackboot::bootd::explain {
namespace {

const MacAddress kMac = *MacAddress::Parse("52:54:00:12:34:56");

const FirmwareClass& Class(const std::string& title) {
  for (const auto& c : FirmwareClasses()) {
    if (c.title == title) return c;
  }
  ADD_FAILURE() << "no firmware class " << title;
  return FirmwareClasses().front();
}

dhcp::ClientInfo Real(const std::vector<uint8_t>& bytes) {
  auto p = dhcp::DecodePacket4(bytes);
  EXPECT_TRUE(p.ok());
  return dhcp::ClassifyClient(*p);
}

// Through the encoder and the strict decoder, as a packet from the wire.
dhcp::ClientInfo Synthesized(const std::string& title, const std::string& uuid = "") {
  auto bytes = dhcp::EncodePacket4(FirmwareRequest(Class(title), kMac, uuid, dhcp::MessageType::kDiscover), 1472);
  EXPECT_TRUE(bytes.ok());
  return Real(*bytes);
}

void ExpectSameClass(const dhcp::ClientInfo& real, const dhcp::ClientInfo& ours) {
  EXPECT_EQ(ours.class_name(), real.class_name());
  EXPECT_EQ(ours.kind, real.kind);
  EXPECT_EQ(ours.pxe_vendor_class, real.pxe_vendor_class);
  EXPECT_EQ(ours.mac, real.mac);
}

TEST(FirmwareRequestsTest, ClassifiedLikeTheCapturedFirmware) {
  ExpectSameClass(Real(dhcp::testdata::OvmfPxeDiscover()), Synthesized("UEFI PXE x64"));
  ExpectSameClass(Real(dhcp::testdata::SeaBiosIpxeDiscover()), Synthesized("iPXE (BIOS)"));
  ExpectSameClass(Real(dhcp::testdata::IpxeEfiDiscover()), Synthesized("iPXE (UEFI x64)"));
}

TEST(FirmwareRequestsTest, EveryClassHasItsOwnBootFileClass) {
  EXPECT_EQ(Synthesized("BIOS PXE").class_name(), "x86_64-bios");
  EXPECT_EQ(Synthesized("BIOS PXE").kind, dhcp::BootClientKind::kFirmwarePxe);
  EXPECT_EQ(Synthesized("UEFI PXE arm64").class_name(), "arm64-uefi");
  EXPECT_EQ(Synthesized("UEFI HTTP Boot x64").class_name(), "x86_64-uefi-http");
  EXPECT_EQ(Synthesized("UEFI HTTP Boot x64").kind, dhcp::BootClientKind::kUefiHttp);
}

TEST(FirmwareRequestsTest, UuidGoesOutInSmbiosOrderAndReadsBack) {
  EXPECT_EQ(Synthesized("BIOS PXE", "11223344-5566-7788-99aa-bbccddeeff01").uuid,
            "11223344-5566-7788-99aa-bbccddeeff01");
  EXPECT_EQ(Synthesized("BIOS PXE", "not-a-uuid").uuid, "");
}

}  // namespace
}  // namespace rackboot::bootd::explain
