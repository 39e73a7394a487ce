// RFC 4648 base64 as the API server stores a Secret's data: strict.
#include "common/base64.h"

#include <gtest/gtest.h>

namespace rackboot {
namespace {

TEST(Base64Test, DecodesPaddedInputAndRefusesEverythingElse) {
  std::string out;
  EXPECT_TRUE(DecodeBase64("", &out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(DecodeBase64("YQ==", &out));
  EXPECT_EQ(out, "a");
  EXPECT_TRUE(DecodeBase64("YWI=", &out));
  EXPECT_EQ(out, "ab");
  EXPECT_TRUE(DecodeBase64("YWJj", &out));
  EXPECT_EQ(out, "abc");
  for (const char* bad : {"YQ", "YQ=", "Y===", "YQ==YQ==", "YW=j", "YW\nJj", "YW*j"}) {
    EXPECT_FALSE(DecodeBase64(bad, &out)) << bad;
  }
}

}  // namespace
}  // namespace rackboot
