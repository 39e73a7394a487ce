#include "bootd/render/template_renderer.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::render {
namespace {

TEST(TemplateRenderer, RendersVariablesAndSections) {
  TemplateData d;
  d.set("name", "node-01");
  TemplateList items;
  for (const char* u : {"a", "b"}) {
    TemplateData it;
    it.set("u", u);
    items.push_back(it);
  }
  d.set("items", items);
  auto r =
      RenderTemplate("#!ipxe\necho {{name}}\n{{#items}}\ninitrd {{u}}\n{{/items}}\nboot\n", d, TargetLanguage::kIpxe);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "#!ipxe\necho node-01\ninitrd a\ninitrd b\nboot\n");
}

TEST(TemplateRenderer, IpxeOwnSyntaxInTemplateIsKept) {
  TemplateData d;
  auto r = RenderTemplate("#!ipxe\nchain http://x/${mac:hexraw} || goto fail\n", d, TargetLanguage::kIpxe);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "#!ipxe\nchain http://x/${mac:hexraw} || goto fail\n");
}

TEST(TemplateRenderer, UnsafeValueFailsWholeRender) {
  TemplateData d;
  d.set("h", "x\nshell");
  auto r = RenderTemplate("#!ipxe\necho {{h}}\nboot\n", d, TargetLanguage::kIpxe);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line break"), std::string::npos);
}

TEST(TemplateRenderer, UnescapedTagsDelimiterChangesAndPartialsAreRefused) {
  TemplateData d;
  d.set("h", "x");
  for (const char* t : {"{{{h}}}", "{{&h}}", "{{ & h}}", "{{\r\n&h}}", "{{\t&h}}", "{{=<% %>=}}<%h%>", "{{>part}}"}) {
    EXPECT_FALSE(RenderTemplate(t, d, TargetLanguage::kIpxe).ok()) << t;
  }
}

TEST(TemplateRenderer, MalformedTemplateIsAnError) {
  TemplateData d;
  EXPECT_FALSE(RenderTemplate("{{#a}} no close", d, TargetLanguage::kText).ok());
  EXPECT_FALSE(RenderTemplate("{{a", d, TargetLanguage::kText).ok());
}

TEST(TemplateRenderer, TrustedValuesPassAsIs) {
  TemplateData d;
  d.set("c", "root=nfs:${nfs-server}:/x");
  EXPECT_FALSE(RenderTemplate("{{c}}", d, TargetLanguage::kIpxe).ok());
  std::set<std::string> trusted{"root=nfs:${nfs-server}:/x"};
  auto r = RenderTemplate("{{c}}", d, TargetLanguage::kIpxe, &trusted);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "root=nfs:${nfs-server}:/x");
}

TEST(TemplateRenderer, ValuesAreNotReinterpretedAsTemplates) {
  TemplateData d;
  d.set("a", "{{b}}");
  d.set("b", "secret");
  auto r = RenderTemplate("{{a}}", d, TargetLanguage::kText);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{{b}}");
}

// Parsed templates are reused per thread (template_renderer.cc): a reused
// engine must render each call's own data, escaping and trust set, and a
// failed render must not poison the next one.
TEST(TemplateRenderer, ReusedTemplateRendersEachCallsOwnDataAndErrors) {
  const char* tmpl = "#!ipxe\necho {{h}} {{c}}\n";
  TemplateData first, unsafe, second;
  first.set("h", "one");
  first.set("c", "x");
  unsafe.set("h", "x && shell");
  unsafe.set("c", "y");
  second.set("h", "two");
  second.set("c", "a && b");
  EXPECT_EQ(RenderTemplate(tmpl, first, TargetLanguage::kIpxe).value(), "#!ipxe\necho one x\n");
  EXPECT_FALSE(RenderTemplate(tmpl, unsafe, TargetLanguage::kIpxe).ok());
  EXPECT_FALSE(RenderTemplate(tmpl, second, TargetLanguage::kIpxe).ok());  // c untrusted this time
  const std::set<std::string> trusted = {"a && b"};
  EXPECT_EQ(RenderTemplate(tmpl, second, TargetLanguage::kIpxe, &trusted).value(), "#!ipxe\necho two a && b\n");
  EXPECT_EQ(RenderTemplate(tmpl, first, TargetLanguage::kIpxe).value(), "#!ipxe\necho one x\n");
  // A refused template stays refused when asked again.
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(RenderTemplate("{{{h}}}", first, TargetLanguage::kIpxe).ok());
}

TEST(TemplateRenderer, ManyDistinctTemplatesStayCorrect) {
  TemplateData d;
  d.set("v", "val");
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 200; ++i) {  // more than the per-thread bound
      const std::string t = "t" + std::to_string(i) + " {{v}}";
      EXPECT_EQ(RenderTemplate(t, d, TargetLanguage::kText).value(), "t" + std::to_string(i) + " val");
    }
  }
}

// Strict: a name the data does not hold is an error naming it, never an
// empty string, and nothing of the output is returned.
TEST(TemplateRenderer, UnknownNameIsAnErrorNotAnEmptyString) {
  TemplateData d;
  d.set("name", "node-01");
  TemplateData params;
  params.set("console", "ttyS0");
  d.set("params", params);
  auto r = RenderTemplate("echo {{name}}\nhostname={{hostname}}\n", d, TargetLanguage::kIpxe);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "uses unknown variable {{hostname}} (did you mean {{machine.hostname}}?)");
  r = RenderTemplate("role={{params.role}}", d, TargetLanguage::kText);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("{{params.role}} (no parameter 'role'"), std::string::npos) << r.error().message;
  // Inside a list section the item's names are checked per item.
  TemplateList items;
  TemplateData with_u, without_u;
  with_u.set("u", "a");
  items.push_back(with_u);
  items.push_back(without_u);
  d.set("items", items);
  r = RenderTemplate("{{#items}}{{u}}{{/items}}", d, TargetLanguage::kText);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("{{u}}"), std::string::npos);
  // A list is not a value.
  EXPECT_FALSE(RenderTemplate("{{items}}", d, TargetLanguage::kText).ok());
}

TEST(TemplateRenderer, SectionsMayTestForAnUnsetParameter) {
  TemplateData d;
  TemplateData params;
  params.set("console", "ttyS0");
  d.set("params", params);
  auto r = RenderTemplate(
      "{{#params.console}}console={{params.console}}{{/params.console}}{{#params.extra}} x={{params.extra}}"
      "{{/params.extra}}{{^params.extra}} noextra{{/params.extra}}",
      d, TargetLanguage::kText);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "console=ttyS0 noextra");
  // ... but a section over a name that is no parameter is a typo.
  EXPECT_FALSE(RenderTemplate("{{#hostname}}x{{/hostname}}", d, TargetLanguage::kText).ok());
}

}  // namespace
}  // namespace rackboot::bootd::render
