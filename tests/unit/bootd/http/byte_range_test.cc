#include "bootd/http/byte_range.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::http {
namespace {

TEST(ByteRange, SingleRanges) {
  auto d = DecideRange("bytes=0-9", 100);
  ASSERT_EQ(d.kind, RangeKind::kSatisfiable);
  EXPECT_EQ(d.range.first, 0u);
  EXPECT_EQ(d.range.last, 9u);
  d = DecideRange("bytes=90-", 100);
  EXPECT_EQ(d.range.first, 90u);
  EXPECT_EQ(d.range.last, 99u);
  d = DecideRange("bytes=-10", 100);
  EXPECT_EQ(d.range.first, 90u);
  EXPECT_EQ(d.range.length(), 10u);
  d = DecideRange("bytes=-1000", 100);
  EXPECT_EQ(d.range.first, 0u);
  d = DecideRange("bytes=50-5000", 100);
  EXPECT_EQ(d.range.last, 99u);
}

TEST(ByteRange, UnsatisfiableAndIgnored) {
  for (const char* v : {"bytes=100-", "bytes=100-200", "bytes=5-1", "bytes=-0", "bytes=a-b", "bytes=0-1,2-3",
                        "bytes=", "bytes=-", "bytes=1", "bytes=18446744073709551616-"}) {
    EXPECT_EQ(DecideRange(v, 100).kind, RangeKind::kUnsatisfiable) << v;
  }
  EXPECT_EQ(DecideRange("bytes=0-", 0).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(DecideRange("items=0-1", 100).kind, RangeKind::kNone);
}

}  // namespace
}  // namespace rackboot::bootd::http
