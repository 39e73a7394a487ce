#include "bootd/tftp/options.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::tftp {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

NegotiatedOptions Negotiate(std::vector<RequestOption> opts, uint16_t max_blk = 1468, uint64_t size = 1000) {
  OptionLimits limits;
  limits.max_blksize = max_blk;
  return NegotiateOptions(opts, limits, size);
}

TEST(TftpOptionsTest, OvmfRequestIsAcceptedAsAsked) {
  auto n = Negotiate({{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}}, 1468, 1048576);
  EXPECT_EQ(n.blksize, 1468);
  EXPECT_EQ(n.windowsize, 4);
  EXPECT_EQ(n.oack, (Pairs{{"tsize", "1048576"}, {"blksize", "1468"}, {"windowsize", "4"}}));
}

TEST(TftpOptionsTest, BlksizeIsClampedToTheMtuLimit) {
  EXPECT_EQ(Negotiate({{"blksize", "65464"}}).blksize, 1468);
  EXPECT_EQ(Negotiate({{"blksize", "99999999999"}}).blksize, 1468);
  EXPECT_EQ(Negotiate({{"blksize", "99999999999"}}).oack, (Pairs{{"blksize", "1468"}}));
  EXPECT_EQ(Negotiate({{"blksize", "65464"}}, 65464).blksize, 65464);
  EXPECT_EQ(Negotiate({{"blksize", "8"}}).blksize, 8);
}

TEST(TftpOptionsTest, InvalidBlksizeIsIgnored) {
  for (const char* v : {"7", "0", "", "-1", "+512", " 512", "512 ", "abc", "1e3", "184467440737095516160"}) {
    auto n = Negotiate({{"blksize", v}});
    EXPECT_EQ(n.blksize, 512) << v;
    EXPECT_TRUE(n.oack.empty()) << v;
  }
}

TEST(TftpOptionsTest, TsizeAnswersTheFileSizeAndRefusesOverflow) {
  EXPECT_EQ(Negotiate({{"tsize", "0"}}, 1468, 42).oack, (Pairs{{"tsize", "42"}}));
  EXPECT_TRUE(Negotiate({{"tsize", "18446744073709551616"}}).oack.empty());  // 2^64
  EXPECT_EQ(Negotiate({{"tsize", "18446744073709551615"}}, 1468, 1).oack, (Pairs{{"tsize", "1"}}));
}

TEST(TftpOptionsTest, TimeoutBounds) {
  EXPECT_EQ(Negotiate({{"timeout", "1"}}).timeout_seconds, 1);
  EXPECT_EQ(Negotiate({{"timeout", "255"}}).timeout_seconds, 255);
  EXPECT_EQ(Negotiate({{"timeout", "0"}}).timeout_seconds, 0);
  EXPECT_TRUE(Negotiate({{"timeout", "256"}}).oack.empty());
}

TEST(TftpOptionsTest, WindowsizeBoundsAndClamp) {
  EXPECT_EQ(Negotiate({{"windowsize", "64"}}).windowsize, 64);
  EXPECT_EQ(Negotiate({{"windowsize", "65535"}}).windowsize, 64);
  EXPECT_EQ(Negotiate({{"windowsize", "65535"}}).oack, (Pairs{{"windowsize", "64"}}));
  EXPECT_TRUE(Negotiate({{"windowsize", "0"}}).oack.empty());
  EXPECT_TRUE(Negotiate({{"windowsize", "65536"}}).oack.empty());
}

TEST(TftpOptionsTest, DuplicatesFirstWinsAndUnknownIgnored) {
  auto n = Negotiate({{"blksize", "1024"}, {"multicast", ""}, {"blksize", "8"}, {"utimeout", "5"}});
  EXPECT_EQ(n.blksize, 1024);
  EXPECT_EQ(n.oack, (Pairs{{"blksize", "1024"}}));
}

TEST(TftpOptionsTest, BlockSizeForMtu) {
  EXPECT_EQ(BlockSizeForMtu(1500), 1468);
  EXPECT_EQ(BlockSizeForMtu(9000), 8968);
  EXPECT_EQ(BlockSizeForMtu(65536), 65464);
  EXPECT_EQ(BlockSizeForMtu(100), 512);
}

TEST(TftpOptionsTest, ParseDecimal) {
  EXPECT_EQ(ParseDecimal("0"), 0u);
  EXPECT_EQ(ParseDecimal("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseDecimal("18446744073709551616"));
  EXPECT_FALSE(ParseDecimal("99999999999999999999"));
  EXPECT_FALSE(ParseDecimal(""));
  EXPECT_FALSE(ParseDecimal("0x10"));
}

}  // namespace
}  // namespace rackboot::bootd::tftp
