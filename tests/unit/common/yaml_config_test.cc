#include "common/yaml_config.h"

#include <gtest/gtest.h>

namespace rackboot {
namespace {

YamlMap Doc(const std::string& text) {
  return YamlMap(YAML::Load(text), "test.yaml", "");
}

TEST(YamlMapTest, ReadsTypedFields) {
  YamlMap m = Doc("name: a\ncount: 7\nflag: true\nmode: proxy\nlist: [x, y]\nsub:\n  k: v\n");
  EXPECT_EQ(m.String("name"), "a");
  EXPECT_EQ(m.Int("count", 0, 10), 7);
  EXPECT_TRUE(m.Bool("flag", false));
  EXPECT_EQ(m.Enum("mode", {"server", "proxy"}, "server"), "proxy");
  EXPECT_EQ(m.StringList("list"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(m.Map("sub").String("k"), "v");
  EXPECT_NO_THROW(m.RejectUnknownFields());
}

TEST(YamlMapTest, ErrorNamesFileLineAndNestedField) {
  YamlMap m = Doc("a: 1\nsub:\n  items:\n    - port: 99999\n");
  try {
    m.Map("sub").MapList("items")[0].Int("port", 1, 65535);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "test.yaml");
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.field(), "sub.items[0].port");
    EXPECT_NE(std::string(e.what()).find("test.yaml:4:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("between 1 and 65535"), std::string::npos) << e.what();
  }
}

TEST(YamlMapTest, UnknownFieldIsRejectedWithItsLine) {
  YamlMap m = Doc("name: a\nnmae: b\n");
  m.String("name");
  try {
    m.RejectUnknownFields();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "nmae");
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.problem(), "unknown field");
  }
}

TEST(YamlMapTest, MissingRequiredAndBadEnum) {
  YamlMap m = Doc("mode: srv\n");
  EXPECT_THROW(m.String("absent"), ConfigError);
  try {
    m.Enum("mode", {"server", "proxy", "off"}, "off");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("must be one of server, proxy, off (got \"srv\")"), std::string::npos);
  }
  EXPECT_THROW(Doc("flag: yes-please\n").Bool("flag", false), ConfigError);
  EXPECT_THROW(Doc("n: 12abc\n").Int("n", 0, 100), ConfigError);
}

TEST(YamlMapTest, SyntaxErrorCarriesLine) {
  try {
    LoadYamlDocumentsFromString("a: 1\nb: [unclosed\n", "bad.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "bad.yaml");
    EXPECT_GT(e.line(), 0);
  }
}

TEST(YamlMapTest, MissingFileIsConfigError) {
  EXPECT_THROW(LoadYamlFile("/nonexistent/rackboot.yaml"), ConfigError);
}

}  // namespace
}  // namespace rackboot
