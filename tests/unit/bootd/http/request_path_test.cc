#include "bootd/http/request_path.h"

#include <gtest/gtest.h>

#include "tests/unit/bootd/http/traversal_variants.h"

namespace rackboot::bootd::http {
namespace {

TEST(RequestPath, DecodesAndCollapses) {
  auto r = NormalizeRequestPath("/a//b/%63.img/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"a", "b", "c.img"}));
  EXPECT_EQ(JoinSegments(*r, 1), "b/c.img");
  auto root = NormalizeRequestPath("/");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->empty());
  auto dots = NormalizeRequestPath("/a/.hidden/x..y");
  ASSERT_TRUE(dots.ok());
  EXPECT_EQ(dots->at(2), "x..y");
}

TEST(RequestPath, RejectsTraversalForms) {
  for (const char* p : {"", "a/b", "/..", "/a/../b", "/./a", "/%2e%2e/x", "/%2E%2e/x", "/.%2e/x", "/a%2fb", "/a%2Fb",
                        "/a\\b", "/a%5cb", "/a%00b", "/a%0ab", "/a%zz", "/a%2", "/...", "/a/%2e"}) {
    EXPECT_FALSE(NormalizeRequestPath(p).ok()) << p;
  }
}

// At least 200 variants: each is either refused or yields only segments
// that cannot climb or hide a separator.
TEST(RequestPath, TraversalVariantsNeverYieldUnsafeSegments) {
  auto variants = rackboot::testing::TraversalVariants("canary.txt");
  ASSERT_GE(variants.size(), 200u);
  size_t refused = 0;
  for (const auto& v : variants) {
    auto r = NormalizeRequestPath(v);
    if (!r.ok()) {
      ++refused;
      continue;
    }
    for (const auto& seg : *r) {
      EXPECT_FALSE(seg.empty()) << v;
      EXPECT_NE(seg.find_first_not_of('.'), std::string::npos) << v << " -> dot segment " << seg;
      EXPECT_EQ(seg.find('/'), std::string::npos) << v;
      EXPECT_EQ(seg.find('\\'), std::string::npos) << v;
      EXPECT_EQ(seg.find('\0'), std::string::npos) << v;
    }
  }
  EXPECT_GT(refused, variants.size() / 2);
}

TEST(RequestPath, LimitsLengthAndDepth) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "/a";
  EXPECT_FALSE(NormalizeRequestPath(deep).ok());
  EXPECT_FALSE(NormalizeRequestPath("/" + std::string(5000, 'a')).ok());
}

}  // namespace
}  // namespace rackboot::bootd::http
