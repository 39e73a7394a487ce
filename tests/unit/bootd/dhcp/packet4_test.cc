#include "bootd/dhcp/packet4.h"

#include <gtest/gtest.h>

#include "bootd/dhcp/options.h"
#include "tests/unit/bootd/dhcp/real_client_packets.h"

namespace rackboot::bootd::dhcp {
namespace {

using testdata::Header;
using testdata::Opt;
using testdata::OptStr;

DropReason DecodeReason(const std::vector<uint8_t>& bytes) {
  DropReason r = DropReason::kNone;
  auto p = DecodePacket4(bytes, &r);
  EXPECT_EQ(p.ok(), r == DropReason::kNone);
  return r;
}

std::vector<uint8_t> WithOption(uint8_t code, const std::string& data) {
  auto b = Header();
  Opt(b, 53, {1});
  OptStr(b, code, data);
  b.push_back(255);
  return b;
}

TEST(Packet4Decode, SeaBiosIpxeDiscoverKeepsFieldsAndOptionOrder) {
  auto p = DecodePacket4(testdata::SeaBiosIpxeDiscover());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->op, kBootRequest);
  EXPECT_EQ(p->xid, 0x11223344u);
  EXPECT_EQ(p->mac().ToString(), "52:54:00:12:34:56");
  EXPECT_EQ(p->message_type(), MessageType::kDiscover);
  std::vector<uint8_t> order;
  for (const auto& [code, data] : p->options) order.push_back(code);
  EXPECT_EQ(order, (std::vector<uint8_t>{53, 57, 93, 94, 60, 77, 55, 175, 61, 97}));
  EXPECT_EQ(*p->Find(60), "PXEClient:Arch:00000:UNDI:002001");
  EXPECT_EQ(*p->Find(77), "iPXE");
  EXPECT_FALSE(p->broadcast());
}

TEST(Packet4Decode, OvmfDiscoverHasBroadcastFlag) {
  auto p = DecodePacket4(testdata::OvmfPxeDiscover());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->broadcast());
  EXPECT_EQ(p->Find(55)->size(), 35u);
}

TEST(Packet4Decode, RejectsShortAndCookieless) {
  auto b = Header();
  b.resize(239);
  EXPECT_EQ(DecodeReason(b), DropReason::kTooShort);
  b = Header();
  b[239] = 0;
  EXPECT_EQ(DecodeReason(b), DropReason::kBadMagicCookie);
  EXPECT_EQ(DecodeReason({}), DropReason::kTooShort);
}

TEST(Packet4Decode, RejectsHlenOver16) {
  auto b = Header();
  Opt(b, 53, {1});
  b[2] = 17;
  EXPECT_EQ(DecodeReason(b), DropReason::kBadHlen);
  b[2] = 16;
  EXPECT_EQ(DecodeReason(b), DropReason::kNone);
}

TEST(Packet4Decode, RejectsOptionsPastTheEnd) {
  auto b = Header();
  Opt(b, 53, {1});
  b.push_back(61);
  b.push_back(200);  // claims 200 bytes, has 3
  b.insert(b.end(), {1, 2, 3});
  EXPECT_EQ(DecodeReason(b), DropReason::kOptionPastEnd);
  b = Header();
  Opt(b, 53, {1});
  b.push_back(12);  // code without its length byte
  EXPECT_EQ(DecodeReason(b), DropReason::kOptionTruncated);
}

TEST(Packet4Decode, RejectsZeroLengthAndWrongLengthInterpretedOptions) {
  for (uint8_t code : {61, 97, 60, 77, 12, 55, 93, 94, 50, 54, 57}) {
    EXPECT_EQ(DecodeReason(WithOption(code, "")), DropReason::kBadOptionLength) << int(code);
  }
  EXPECT_EQ(DecodeReason(WithOption(97, std::string(18, 'x'))), DropReason::kBadOptionLength);
  EXPECT_EQ(DecodeReason(WithOption(97, std::string(16, 'x'))), DropReason::kBadOptionLength);
  EXPECT_EQ(DecodeReason(WithOption(93, std::string(3, 'x'))), DropReason::kBadOptionLength);
  EXPECT_EQ(DecodeReason(WithOption(61, std::string(1, 'x'))), DropReason::kBadOptionLength);
  EXPECT_EQ(DecodeReason(WithOption(61, std::string(255, 'x'))), DropReason::kNone);
  EXPECT_EQ(DecodeReason(WithOption(12, std::string(255, 'h'))), DropReason::kNone);
  // Unknown options may be empty (e.g. 80 rapid commit).
  EXPECT_EQ(DecodeReason(WithOption(80, "")), DropReason::kNone);
}

TEST(Packet4Decode, ConcatenatesSplitOptions) {  // RFC 3396
  auto b = Header();
  Opt(b, 53, {1});
  OptStr(b, 12, "rack");
  OptStr(b, 12, "-host");
  b.push_back(255);
  auto p = DecodePacket4(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p->Find(12), "rack-host");
}

TEST(Packet4Decode, ReadsOverloadedFileAndSname) {
  auto b = Header();
  // file field (offset 108): option 12; sname (offset 44): option 60.
  const std::string host = "\x0c\x04node\xff";
  std::copy(host.begin(), host.end(), b.begin() + 108);
  const std::string vc = "\x3c\x03PXE\xff";
  std::copy(vc.begin(), vc.end(), b.begin() + 44);
  Opt(b, 53, {1});
  Opt(b, 52, {3});
  b.push_back(255);
  auto p = DecodePacket4(b);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p->Find(12), "node");
  EXPECT_EQ(*p->Find(60), "PXE");
  EXPECT_TRUE(p->file.empty());
  EXPECT_TRUE(p->sname.empty());
}

TEST(Packet4Decode, OverloadInsideFileIsIgnoredSoItCannotLoop) {
  auto b = Header();
  const std::string again = "\x34\x01\x03\x0c\x01x\xff";  // 52=3 again, then 12
  std::copy(again.begin(), again.end(), b.begin() + 108);
  Opt(b, 53, {1});
  Opt(b, 52, {1});
  b.push_back(255);
  auto p = DecodePacket4(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p->Find(52), std::string(1, '\x01'));
  EXPECT_EQ(*p->Find(12), "x");
}

TEST(Packet4Decode, RejectsBadOverloadValuesAndBrokenOverloadedFields) {
  auto b = Header();
  Opt(b, 53, {1});
  Opt(b, 52, {4});
  EXPECT_EQ(DecodeReason(b), DropReason::kBadOverload);
  b = Header();
  b[108] = 12;
  b[109] = 200;  // runs past the 128-byte file field
  Opt(b, 53, {1});
  Opt(b, 52, {1});
  EXPECT_EQ(DecodeReason(b), DropReason::kOptionPastEnd);
}

TEST(Packet4Decode, PlainSnameAndFileStopAtNul) {
  auto b = Header();
  const std::string file = "undionly.kpxe";
  std::copy(file.begin(), file.end(), b.begin() + 108);
  Opt(b, 53, {1});
  auto p = DecodePacket4(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->file, "undionly.kpxe");
}

Packet4 Reply() {
  Packet4 p;
  p.op = kBootReply;
  p.xid = 7;
  p.yiaddr = *Ipv4Address::Parse("192.0.2.10");
  p.set_mac(*MacAddress::Parse("52:54:00:00:00:01"));
  p.Set(kOptSubnetMask, OptionAddress{*Ipv4Address::Parse("255.255.255.0")}.Serialize());
  p.Set(kOptLeaseTime, OptionU32{3600}.Serialize());
  p.Set(kOptRouter, OptionAddress{*Ipv4Address::Parse("192.0.2.1")}.Serialize());
  p.Set(kOptServerId, OptionAddress{*Ipv4Address::Parse("192.0.2.1")}.Serialize());
  p.Set(kOptMessageType, std::string(1, '\x02'));
  return p;
}

TEST(Packet4Encode, RoundTripsAndPutsTypeAndServerIdFirstThenRequestedOrder) {
  auto bytes = EncodePacket4(Reply(), 576, {3, 1});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), kMinBootpSize);  // padded to the BOOTP minimum
  auto p = DecodePacket4(*bytes);
  ASSERT_TRUE(p.ok());
  std::vector<uint8_t> order;
  for (const auto& [code, data] : p->options) order.push_back(code);
  EXPECT_EQ(order, (std::vector<uint8_t>{53, 54, 3, 1, 51}));
  EXPECT_EQ(p->op, kBootReply);
  EXPECT_EQ(p->yiaddr.ToString(), "192.0.2.10");
  EXPECT_EQ(p->mac().ToString(), "52:54:00:00:00:01");
}

TEST(Packet4Encode, SplitsLongOptionsAndDecoderJoinsThem) {
  Packet4 p = Reply();
  p.Set(kOptDomainName, std::string(300, 'd'));
  auto bytes = EncodePacket4(p, 1500);
  ASSERT_TRUE(bytes.ok());
  auto back = DecodePacket4(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back->Find(kOptDomainName), std::string(300, 'd'));
}

TEST(Packet4Encode, OverloadsFileAndSnameWhenOptionsExceedMaxMessageSize) {
  Packet4 p = Reply();
  // 576 - 28 - 240 = 308 bytes for options: 53,54,1,51,3 use 31; add more.
  p.Set(100, std::string(250, 'a'));
  p.Set(101, std::string(100, 'b'));  // goes to file
  p.Set(102, std::string(40, 'c'));   // goes to sname
  auto bytes = EncodePacket4(p, 576);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_LE(bytes->size(), 576u - 28u);
  auto back = DecodePacket4(*bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back->Find(52), std::string(1, '\x03'));
  EXPECT_EQ(*back->Find(100), std::string(250, 'a'));
  EXPECT_EQ(*back->Find(101), std::string(100, 'b'));
  EXPECT_EQ(*back->Find(102), std::string(40, 'c'));
  // With a bigger client limit everything fits and no overload is used.
  auto roomy = DecodePacket4(*EncodePacket4(p, 1472));
  ASSERT_TRUE(roomy.ok());
  EXPECT_FALSE(roomy->Has(52));
}

TEST(Packet4Encode, FailsWhenEvenOverloadCannotHoldTheOptions) {
  Packet4 p = Reply();
  p.file = "ipxe.efi";  // file and sname in use: no overload room
  p.sname = "192.0.2.1";
  p.Set(100, std::string(250, 'a'));
  p.Set(101, std::string(250, 'b'));
  EXPECT_FALSE(EncodePacket4(p, 576).ok());
  EXPECT_TRUE(EncodePacket4(p, 1500).ok());
}

TEST(Packet4Encode, MaxMessageSizeBelow576IsTreatedAs576) {
  Packet4 p = Reply();
  p.Set(100, std::string(250, 'a'));
  EXPECT_TRUE(EncodePacket4(p, 100).ok());
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
