#include "bootd/render/value_escaping.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rackboot::bootd::render {
namespace {

const std::vector<TargetLanguage> kScriptLanguages = {TargetLanguage::kIpxe, TargetLanguage::kGrub,
                                                      TargetLanguage::kPxelinux};

TEST(ValueEscaping, PlainValuesPassUnchangedInScripts) {
  for (auto lang : kScriptLanguages) {
    for (std::string v : {"node-01", "10.0.0.5", "52:54:00:12:34:56", "console=ttyS0,115200n8 ip=dhcp", ""}) {
      auto r = EscapeValue(lang, v);
      ASSERT_TRUE(r.ok()) << TargetLanguageName(lang) << " " << v << ": " << r.error().message;
      EXPECT_EQ(*r, v);
    }
  }
}

TEST(ValueEscaping, LineBreaksAndControlsAreRejectedInEveryLineLanguage) {
  for (auto lang : {TargetLanguage::kIpxe, TargetLanguage::kGrub, TargetLanguage::kPxelinux, TargetLanguage::kKickstart,
                    TargetLanguage::kPreseed, TargetLanguage::kText}) {
    for (const std::string& v : std::vector<std::string>{"a\nboot", "a\rshell", "x\n#!ipxe\nshell",
                                                         std::string("a\0b", 3), "tab\there", "\x7f"}) {
      EXPECT_FALSE(EscapeValue(lang, v).ok()) << TargetLanguageName(lang) << " accepted " << v;
    }
  }
}

TEST(ValueEscaping, IpxeRejectsOperatorsExpansionAndMagic) {
  for (std::string v : {"x && shell", "x || shell", "x&&shell", "${net0/mac}", "$ {x}", "a ; shell", "; shell",
                        "#!ipxe", "say \"hi\"", "it's", "back\\slash", "x ;"}) {
    auto r = EscapeValue(TargetLanguage::kIpxe, v);
    EXPECT_FALSE(r.ok()) << "accepted " << v;
  }
  // An embedded ';' is not a token: the NoCloud datasource needs it.
  EXPECT_TRUE(EscapeValue(TargetLanguage::kIpxe, "ds=nocloud-net;s=http://10.0.0.1/c/").ok());
}

TEST(ValueEscaping, GrubRejectsShellSyntax) {
  for (std::string v : {"a;b", "$root", "a&b", "a|b", "`x`", "'q'", "\"q\"", "{", "}", "# c", "a<b", "a\\b"}) {
    EXPECT_FALSE(EscapeValue(TargetLanguage::kGrub, v).ok()) << "accepted " << v;
  }
}

TEST(ValueEscaping, FourKibStringsAreRejectedInScripts) {
  const std::string big(4096, 'a');
  for (auto lang : kScriptLanguages) EXPECT_FALSE(EscapeValue(lang, big).ok()) << TargetLanguageName(lang);
  EXPECT_TRUE(EscapeValue(TargetLanguage::kIpxe, std::string(kMaxScriptValueBytes, 'a')).ok());
  EXPECT_FALSE(EscapeValue(TargetLanguage::kIpxe, std::string(kMaxScriptValueBytes + 1, 'a')).ok());
}

TEST(ValueEscaping, NonAsciiRejectedInScriptsAllowedInYaml) {
  EXPECT_FALSE(EscapeValue(TargetLanguage::kIpxe, "n\xc3\xa4me").ok());
  auto y = EscapeValue(TargetLanguage::kYaml, "n\xc3\xa4me");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(*y, "\"n\xc3\xa4me\"");
}

TEST(ValueEscaping, YamlQuotesEverything) {
  auto r = EscapeValue(TargetLanguage::kYaml, "a\"b\\c\nd: e\x01");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "\"a\\\"b\\\\c\\nd: e\\x01\"");
  EXPECT_EQ(r->find('\n'), std::string::npos);
}

TEST(ValueEscaping, KickstartRejectsShellMetacharacters) {
  for (std::string v : {"$(reboot)", "`id`", "a;b", "a|b", "a&b", "a>b"}) {
    EXPECT_FALSE(EscapeValue(TargetLanguage::kKickstart, v).ok()) << v;
  }
  EXPECT_TRUE(EscapeValue(TargetLanguage::kKickstart, "node-01.example.com").ok());
}

}  // namespace
}  // namespace rackboot::bootd::render
