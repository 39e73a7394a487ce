#include "bootd/render/template_check.h"

#include <gtest/gtest.h>

#include <string>

#include "bootd/render/machine_scripts.h"
#include "bootd/render/template_variables.h"

namespace rackboot::bootd::render {
namespace {

std::string Check(const std::string& tmpl, TemplateKind kind, const TemplateKeys& keys = {}) {
  Status s = CheckTemplateVariables(tmpl, kind, keys);
  return s.ok() ? "ok" : s.message();
}

TEST(TemplateCheck, UnknownNamesAreErrorsThatNameThemAndSuggestOurs) {
  EXPECT_EQ(Check("hostname={{hostname}}", TemplateKind::kCmdline),
            "uses unknown variable {{hostname}} (did you mean {{machine.hostname}}?)");
  EXPECT_EQ(Check("{{bootedUrl}}", TemplateKind::kInstallConfig),
            "uses unknown variable {{bootedUrl}} (did you mean {{booted_url}}?)");
  TemplateKeys hints;
  hints.param_hints = {"console"};
  EXPECT_EQ(Check("console={{console}}", TemplateKind::kCmdline, hints),
            "uses unknown variable {{console}} (did you mean {{params.console}}?)");
  EXPECT_EQ(Check("{{nothing}}", TemplateKind::kCmdline),
            "uses unknown variable {{nothing}} (docs/templates.md lists the variables)");
  EXPECT_EQ(Check("{{machine.hostnam}}", TemplateKind::kCmdline).find("uses unknown variable {{machine.hostnam}}"), 0u);
}

TEST(TemplateCheck, EachKindSeesItsOwnVariables) {
  EXPECT_EQ(Check("{{machine.hostname}} {{booted_url}} {{profile}}", TemplateKind::kCmdline), "ok");
  // The command line is rendered before kernel_url exists.
  EXPECT_NE(Check("{{kernel_url}}", TemplateKind::kCmdline), "ok");
  EXPECT_EQ(Check("#!ipxe\nkernel {{kernel_url}} {{cmdline}}\n{{#initrds}}initrd {{url}}{{/initrds}}\n",
                  TemplateKind::kLoader),
            "ok");
  // With a menu, the profile's kernel lives inside each entry.
  EXPECT_NE(Check("{{kernel_url}}", TemplateKind::kIpxeMenu), "ok");
  EXPECT_EQ(Check("{{#entries}}:{{name}}\n{{#is_boot}}kernel {{kernel_url}}\n{{#initrds}}initrd --name {{name}} "
                  "{{url}} || goto {{entry_name}}.retry\n{{/initrds}}{{/is_boot}}{{/entries}}{{menu_default}}",
                  TemplateKind::kIpxeMenu),
            "ok");
  EXPECT_NE(Check("{{#entries}}{{url}}{{/entries}}", TemplateKind::kIpxeMenu), "ok");
  EXPECT_NE(Check("{{entries}}", TemplateKind::kInstallConfig), "ok");
}

TEST(TemplateCheck, MapKeysAreCheckedWhereTheCallerKnowsThem) {
  TemplateKeys keys;
  keys.params = std::set<std::string>{"console"};
  keys.configs = std::set<std::string>{"preseed"};
  EXPECT_EQ(Check("{{params.console}} {{configs.preseed}} {{env.anything}}", TemplateKind::kCmdline, keys), "ok");
  EXPECT_EQ(Check("{{params.role}}", TemplateKind::kCmdline, keys),
            "uses unknown variable {{params.role}} (no parameter 'role': set it in Machine spec.parameters or give "
            "the BootProfile's spec.parameters a default)");
  EXPECT_NE(Check("{{configs.kickstart}}", TemplateKind::kCmdline, keys), "ok");
  // A section tests for a key: absent is fine there.
  EXPECT_EQ(Check("{{#params.role}}role={{params.role}}{{/params.role}}{{^params.role}}none{{/params.role}}",
                  TemplateKind::kCmdline, keys),
            "ok");
  // Unknown keys pass when the caller does not know the map (a profile
  // without a Machine): the resolver and the render check them later.
  EXPECT_EQ(Check("{{params.role}}", TemplateKind::kCmdline), "ok");
}

TEST(TemplateCheck, ListsAndObjectsAreSectionsNotValues) {
  EXPECT_EQ(Check("{{initrds}}", TemplateKind::kLoader),
            "uses {{initrds}}, which is a list: use it as a section {{#initrds}}...{{/initrds}}");
  EXPECT_NE(Check("{{machine}}", TemplateKind::kCmdline), "ok");
  EXPECT_EQ(Check("{{#machine}}{{hostname}}{{/machine}}", TemplateKind::kCmdline), "ok");
  EXPECT_EQ(Check("{{! a comment {{hostname}} is not a tag}}", TemplateKind::kCmdline), "ok");
  EXPECT_NE(Check("{{#initrds}}{{url}}", TemplateKind::kLoader), "ok");
  EXPECT_NE(Check("{{#initrds}}{{url}}{{/entries}}", TemplateKind::kLoader), "ok");
}

// The table and the renderer cannot drift: every name the table lists for
// a kind renders (strictly) from a fully set assignment in a template of
// that kind, so a row the renderer does not fill fails here.
TEST(TemplateVariablesTable, EveryRowIsProvidedByTheRenderer) {
  Assignment a;
  a.machine_name = "lab/node-01";
  a.hostname = "node-01";
  a.rack = "r1";
  InterfaceAssignment iface;
  iface.mac = *MacAddress::Parse("52:54:00:12:34:56");
  iface.ipv4 = *Ipv4Address::Parse("10.0.0.5");
  a.interfaces.push_back(iface);
  a.uuid = "11223344-5566-7788-99aa-bbccddeeff01";
  a.architecture = "x86_64";
  a.firmware = "uefi";
  a.boot.profile_name = "p";
  a.boot.kernel.url = "vmlinuz";
  a.boot.initrds.push_back({"initrd.img", ""});
  a.boot.install_configs["user-data"] = "x";
  a.parameters["console"] = "ttyS0";
  ScriptRequest req;
  req.mac = iface.mac;
  req.public_url = "http://192.0.2.1:8080";
  req.environment["nfs"] = "10.0.0.9";
  req.config_token = "tok";

  size_t checked = 0;
  for (const TemplateVariable& v : TemplateVariables()) {
    std::string name(v.name);
    if (v.type == VariableType::kMap) {
      name += v.name == "params" ? ".console" : v.name == "env" ? ".nfs" : ".user-data";
    }
    // Lists and objects as sections, flags as sections, strings as values.
    const bool value = v.type == VariableType::kString || v.type == VariableType::kMap;
    for (TemplateKind kind :
         {TemplateKind::kCmdline, TemplateKind::kLoader, TemplateKind::kIpxeMenu, TemplateKind::kInstallConfig}) {
      if ((v.kinds & static_cast<uint8_t>(kind)) == 0) continue;
      // Item fields are looked up inside their list's section.
      std::string open, close, leaf = name;
      if (name.starts_with("entries.")) {
        open = "{{#entries}}{{#is_boot}}";
        close = "{{/is_boot}}{{/entries}}";
        leaf = name.substr(8);
        if (leaf.starts_with("initrds.")) {
          open += "{{#initrds}}";
          close = "{{/initrds}}" + close;
          leaf = leaf.substr(8);
        }
      } else if (name.starts_with("initrds.")) {
        open = "{{#initrds}}";
        close = "{{/initrds}}";
        leaf = name.substr(8);
      }
      const std::string use = value ? "{{" + leaf + "}}" : "{{#" + leaf + "}}x{{/" + leaf + "}}";
      const std::string tmpl = open + use + close;
      ASSERT_EQ(Check(tmpl, kind), "ok") << name;
      Assignment with = a;
      Result<std::string> out = Error{"not rendered"};
      switch (kind) {
        case TemplateKind::kCmdline:
          with.boot.cmdline_template = tmpl;
          out = RenderIpxeScript(with, req);
          break;
        case TemplateKind::kLoader:
          with.boot.ipxe_template = "#!ipxe\n" + tmpl;
          out = RenderIpxeScript(with, req);
          break;
        case TemplateKind::kIpxeMenu: {
          MenuEntry e;
          e.name = "install";
          e.kernel = a.boot.kernel;
          e.initrds = a.boot.initrds;
          with.boot.menu.push_back(e);
          with.boot.ipxe_template = "#!ipxe\n" + tmpl;
          out = RenderIpxeScript(with, req);
          break;
        }
        case TemplateKind::kInstallConfig:
          with.boot.install_configs["user-data"] = tmpl;
          out = RenderInstallConfig(with, req, "user-data");
          break;
      }
      EXPECT_TRUE(out.ok()) << name << " in " << TemplateKindName(kind) << ": " << out.error().message;
      ++checked;
    }
  }
  EXPECT_GT(checked, 60u);
}

}  // namespace
}  // namespace rackboot::bootd::render
