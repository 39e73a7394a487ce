#include "bootd/dhcp/options.h"

#include <gtest/gtest.h>

#include "bootd/dhcp/option_codes.h"

namespace rackboot::bootd::dhcp {
namespace {

using namespace std::literals;

TEST(OptionInt, ParsesNetworkOrderAndRejectsWrongLength) {
  EXPECT_EQ(OptionU16::Parse(std::string("\x05\xc0", 2))->value, 1472);
  EXPECT_EQ(OptionU32::Parse(std::string("\x00\x00\x0e\x10", 4))->value, 3600u);
  EXPECT_FALSE(OptionU16::Parse("\x05"sv));
  EXPECT_FALSE(OptionU32::Parse(""));
  EXPECT_EQ(OptionU32{0x01020304}.Serialize(), "\x01\x02\x03\x04");
}

TEST(OptionAddress, ParsesFourBytesOnly) {
  EXPECT_EQ(OptionAddress::Parse("\xc0\x00\x02\x01"sv)->value.ToString(), "192.0.2.1");
  EXPECT_FALSE(OptionAddress::Parse("\xc0\x00\x02"sv));
  auto list = OptionAddressList::Parse(std::string("\xc0\x00\x02\x01\xc0\x00\x02\x02", 8));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->values.size(), 2u);
  EXPECT_FALSE(OptionAddressList::Parse(""));
  EXPECT_FALSE(OptionAddressList::Parse("12345"));
  EXPECT_EQ(list->Serialize().size(), 8u);
}

TEST(OptionString, StripsTrailingNulsAndRejectsEmpty) {
  EXPECT_EQ(OptionString::Parse(std::string("host\0\0", 6))->value, "host");
  EXPECT_FALSE(OptionString::Parse(std::string("\0", 1)));
  EXPECT_FALSE(OptionString::Parse(""));
}

TEST(OptionClientArch, ReadsSixteenBitTypes) {
  auto a = OptionClientArch::Parse(std::string("\x00\x07\x00\x0b", 4));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->types, (std::vector<uint16_t>{7, 11}));
  EXPECT_FALSE(OptionClientArch::Parse("\x00"sv));
  EXPECT_EQ(a->Serialize(), std::string("\x00\x07\x00\x0b", 4));
}

TEST(OptionClientNdi, NeedsThreeBytes) {
  auto n = OptionClientNdi::Parse("\x01\x03\x0a"sv);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->minor, 10);
  EXPECT_FALSE(OptionClientNdi::Parse("\x01\x03"sv));
}

TEST(OptionClientUuid, UndoesSmbiosByteOrder) {
  // QEMU -uuid 11223344-5566-7788-99aa-bbccddeeff01 puts these bytes on the wire.
  const std::string wire("\x00\x44\x33\x22\x11\x66\x55\x88\x77\x99\xaa\xbb\xcc\xdd\xee\xff\x01", 17);
  auto u = OptionClientUuid::Parse(wire);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->ToCanonical(), "11223344-5566-7788-99aa-bbccddeeff01");
  EXPECT_FALSE(u->IsZero());
  EXPECT_EQ(u->Serialize(), wire);
  EXPECT_TRUE(OptionClientUuid::Parse(std::string(17, '\0'))->IsZero());
  EXPECT_FALSE(OptionClientUuid::Parse(std::string(16, '\0')));
  EXPECT_FALSE(OptionClientUuid::Parse(std::string(18, '\0')));
}

TEST(OptionClientId, NeedsTypeAndId) {
  auto id = OptionClientId::Parse("\x01\x52\x54\x00\x12\x34\x56"sv);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->type, 1);
  EXPECT_EQ(id->id.size(), 6u);
  EXPECT_FALSE(OptionClientId::Parse("\x01"sv));
}

TEST(OptionUserClass, AcceptsRawIpxeAndRfc3004) {
  auto raw = OptionUserClass::Parse("iPXE");  // 'i' = 105 > remaining length: raw
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->classes, std::vector<std::string>{"iPXE"});
  auto rfc = OptionUserClass::Parse(
      "\x04iPXE\x03"
      "abc"sv);
  ASSERT_TRUE(rfc);
  EXPECT_EQ(rfc->classes, (std::vector<std::string>{"iPXE", "abc"}));
  EXPECT_TRUE(rfc->Contains("iPXE"));
  EXPECT_EQ(rfc->Serialize(),
            "\x04iPXE\x03"
            "abc");
  EXPECT_FALSE(OptionUserClass::Parse(""));
}

TEST(OptionSubOptions, ParsesStrictlyAndSerializes) {
  auto s = OptionSubOptions::Parse(std::string("\x06\x01\x08\x00\xb0\x01\x01\xff\x99", 9));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->items.size(), 2u);
  EXPECT_EQ(*s->Find(kPxeDiscoveryControl), "\x08");
  EXPECT_EQ(*s->Find(kIpxeNoPxeDhcp), "\x01");
  EXPECT_EQ(s->Find(9), nullptr);
  EXPECT_FALSE(OptionSubOptions::Parse("\x06\x05\x08"sv));
  EXPECT_FALSE(OptionSubOptions::Parse("\x06"sv));
  EXPECT_EQ(s->Serialize(), "\x06\x01\x08\xb0\x01\x01");
}

TEST(OptionParameterList, KeepsOrder) {
  auto p = OptionParameterList::Parse("\x43\x01\x03"sv);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->codes, (std::vector<uint8_t>{67, 1, 3}));
  EXPECT_FALSE(OptionParameterList::Parse(""));
}

TEST(OptionLengthValid, FixedAndMinimumLengths) {
  EXPECT_TRUE(OptionLengthValid(kOptMessageType, 1));
  EXPECT_FALSE(OptionLengthValid(kOptMessageType, 2));
  EXPECT_FALSE(OptionLengthValid(kOptServerId, 3));
  EXPECT_TRUE(OptionLengthValid(kOptClientUuid, 17));
  EXPECT_FALSE(OptionLengthValid(kOptClientId, 1));
  EXPECT_TRUE(OptionLengthValid(200, 0));
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
