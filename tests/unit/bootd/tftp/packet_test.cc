#include "bootd/tftp/packet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rackboot::bootd::tftp {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}
template <size_t N>
std::vector<uint8_t> Lit(const char (&s)[N]) {
  return std::vector<uint8_t>(s, s + N - 1);  // keeps embedded NULs, drops the literal's own
}

TEST(TftpPacketTest, DecodesReadRequestWithOptions) {
  auto p = DecodePacket(Lit("\0\1pxelinux.0\0OCTET\0BlkSize\0001468\0tsize\0000\0"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  const auto& r = std::get<Request>(*p);
  EXPECT_EQ(r.opcode, Opcode::kRrq);
  EXPECT_EQ(r.filename, "pxelinux.0");
  EXPECT_EQ(r.mode, "octet");
  ASSERT_EQ(r.options.size(), 2u);
  EXPECT_EQ(r.options[0].name, "blksize");  // RFC 2347: names are case-insensitive
  EXPECT_EQ(r.options[0].value, "1468");
  EXPECT_EQ(r.options[1].name, "tsize");
}

TEST(TftpPacketTest, RoundTripsThroughEncoder) {
  Request r{Opcode::kWrq, "a/b", "netascii", {{"windowsize", "16"}}};
  auto p = DecodePacket(EncodeRequest(r));
  ASSERT_TRUE(p.ok());
  const auto& d = std::get<Request>(*p);
  EXPECT_EQ(d.opcode, Opcode::kWrq);
  EXPECT_EQ(d.filename, "a/b");
  EXPECT_EQ(d.options[0].value, "16");
}

TEST(TftpPacketTest, RejectsUnterminatedStrings) {
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\1file", 6))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\1file\0octet", 12))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\1file\0octet\0blksize", 20))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\1file\0octet\0blksize\0001468", 24))).ok());
}

TEST(TftpPacketTest, RejectsHundredOptions) {
  Request r{Opcode::kRrq, "f", "octet", {}};
  for (int i = 0; i < 100; ++i) r.options.push_back({"opt" + std::to_string(i), "1"});
  auto p = DecodePacket(EncodeRequest(r));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "too many options");
  r.options.resize(kMaxRequestOptions);
  EXPECT_TRUE(DecodePacket(EncodeRequest(r)).ok());
}

TEST(TftpPacketTest, RejectsOversizedOrEmptyOptionNames) {
  EXPECT_FALSE(DecodePacket(EncodeRequest({Opcode::kRrq, "f", "octet", {{std::string(65, 'x'), "1"}}})).ok());
  EXPECT_FALSE(DecodePacket(EncodeRequest({Opcode::kRrq, "f", "octet", {{"x", std::string(256, '1')}}})).ok());
  EXPECT_FALSE(DecodePacket(EncodeRequest({Opcode::kRrq, "f", "octet", {{"", "1"}}})).ok());
}

TEST(TftpPacketTest, EmptyAndHugeFilenamesDecode) {
  // Decoding accepts them; path confinement refuses them.
  auto empty = DecodePacket(Bytes(std::string("\0\1\0octet\0", 9)));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(std::get<Request>(*empty).filename, "");
  auto huge = DecodePacket(EncodeRequest({Opcode::kRrq, std::string(65000, 'a'), "octet", {}}));
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(std::get<Request>(*huge).filename.size(), 65000u);
}

TEST(TftpPacketTest, TwoByteErrorIsAccepted) {
  auto p = DecodePacket(Bytes(std::string("\0\5", 2)));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::get<ErrorPacket>(*p).code, 0);
  auto unterminated = DecodePacket(Bytes(std::string("\0\5\0\1oops", 8)));
  ASSERT_TRUE(unterminated.ok());
  EXPECT_EQ(std::get<ErrorPacket>(*unterminated).message, "oops");
}

TEST(TftpPacketTest, ShortOrUnknownPacketsAreErrors) {
  EXPECT_FALSE(DecodePacket({}).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0", 1))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\4\0", 3))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\3\0", 3))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\0\7\0\1", 4))).ok());
  EXPECT_FALSE(DecodePacket(Bytes(std::string("\xff\xff", 2))).ok());
}

TEST(TftpPacketTest, EncodesDataAckErrorOack) {
  const std::vector<uint8_t> payload = {1, 2, 3};
  EXPECT_EQ(EncodeData(0x1234, payload), (std::vector<uint8_t>{0, 3, 0x12, 0x34, 1, 2, 3}));
  EXPECT_EQ(EncodeAck(65535), (std::vector<uint8_t>{0, 4, 0xff, 0xff}));
  EXPECT_EQ(EncodeError(ErrorCode::kAccessViolation, "no"), (std::vector<uint8_t>{0, 5, 0, 2, 'n', 'o', 0}));
  EXPECT_EQ(EncodeOack({{"tsize", "5"}}), Bytes(std::string("\0\6tsize\0005\0", 10)));
  auto ack = DecodePacket(EncodeAck(7));
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(std::get<AckPacket>(*ack).block, 7);
  auto data = DecodePacket(EncodeData(9, payload));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(std::get<DataPacket>(*data).data, payload);
}

}  // namespace
}  // namespace rackboot::bootd::tftp
