#include "common/log.h"

#include <gtest/gtest.h>

namespace rackboot::log {
namespace {

TEST(LogTest, FormatsStructuredFieldsAndQuotes) {
  std::string line = Format(Level::kInfo, "dhcp", "offer sent", {{"mac", "52:54:00:00:00:01"}, {"bytes", 300}});
  EXPECT_NE(line.find(" level=info component=dhcp msg=\"offer sent\" mac=52:54:00:00:00:01 bytes=300"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.rfind("ts=", 0), 0u);
}

TEST(LogTest, EscapesNewlinesSoOneEventIsOneLine) {
  std::string line = Format(Level::kWarn, "http", "bad", {{"path", "a\nb\"c"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("path=\"a\\nb\\\"c\""), std::string::npos) << line;
}

TEST(LogTest, LevelFiltering) {
  Level saved = GetLevel();
  SetLevel(Level::kWarn);
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  SetLevel(saved);
  Level parsed;
  EXPECT_TRUE(ParseLevel("debug", &parsed));
  EXPECT_EQ(parsed, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", &parsed));
}

}  // namespace
}  // namespace rackboot::log
