// The AutoPXE use case (seed 000) end to end in standalone bootd's pure
// code: scanned boot trees -> manifest load (default profile, tree menu,
// per-MAC defaults) -> the iPXE script bootd/render produces.
#include "bootd/standalone/boot_tree_menu.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bootd/assignments/assignment_store.h"
#include "bootd/render/machine_scripts.h"
#include "bootd/standalone/manifest_directory.h"

namespace rackboot::bootd::standalone {
namespace {

namespace fs = std::filesystem;

MacAddress Mac(const char* text) {
  return *MacAddress::Parse(text);
}

class BootTreeMenuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("rackboot-autopxe-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    // /pxe/rootfs of AutoPXE: built root filesystems and plain boot trees.
    Touch("rootfs/debian/bookworm/boot/vmlinuz-6.1.0-9-amd64");
    Touch("rootfs/debian/bookworm/boot/initrd.img-6.1.0-9-amd64");
    Touch("rootfs/debian/bookworm/boot/vmlinuz-6.1.0-18-amd64");
    Touch("rootfs/debian/bookworm/boot/initrd.img-6.1.0-18-amd64");
    Touch("rootfs/ubuntu/24.04/vmlinuz-6.8.0-31-generic");
    Touch("rootfs/ubuntu/24.04/initrd.img-6.8.0-31-generic");
    fs::create_directories(base_ / "manifests");
  }
  void TearDown() override { fs::remove_all(base_); }
  void Touch(const std::string& rel) {
    fs::create_directories((base_ / rel).parent_path());
    std::ofstream(base_ / rel) << rel;
  }
  void Write(const std::string& name, const std::string& text) { std::ofstream(base_ / "manifests" / name) << text; }
  ManifestLoad Load() { return LoadManifestDirectory((base_ / "manifests").string(), "lab", root()); }
  std::string root() const { return (base_ / "rootfs").string(); }

  fs::path base_;
};

// AutoPXE's config.yaml as manifests: CmdlineTemplates are the menu's boot
// entries, DefaultDistro is where the kernel points plus menu.default,
// Env comes from bootd's http.environment.
const char* kAutoPxeProfile = R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata:
  name: autopxe
  annotations:
    rackboot.io/boot-tree-menu: "true"
    rackboot.io/default-for-unknown-machines: "true"
spec:
  kernel: {path: debian/bookworm/latest/vmlinuz}
  initrds: [{path: debian/bookworm/latest/initrd}]
  cmdline: root=/dev/nfs nfsroot={{env.nfs-server}}:{{params.rootfs_path}} ip=dhcp
  menu:
    default: overlayfs
    timeoutSeconds: 10
    entries:
      - {name: overlayfs, label: overlayfs, cmdline: "root=/dev/nfs nfsroot={{env.nfs-server}}:{{params.rootfs_path}} ip=dhcp rootovl"}
      - {name: nfsrw, label: nfs read-write, cmdline: "root=/dev/nfs nfsroot={{env.nfs-server}}:{{params.rootfs_path}} ip=dhcp rw"}
  install:
    preseed: "d-i passwd/root-password password secret"
)";

std::string HostDefault(const std::string& name, const std::string& mac, const std::string& entry) {
  return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: " + name +
         "\n  annotations: {rackboot.io/menu-default: \"" + entry + "\"}\nspec:\n  rack: lab\n  interfaces: [{mac: \"" +
         mac + "\"}]\n  bootProfileRef: {name: autopxe}\n";
}

render::ScriptRequest Request(const char* mac) {
  render::ScriptRequest r;
  r.mac = Mac(mac);
  r.public_url = "http://10.0.0.1:8080";
  r.rack = "lab";
  r.environment = {{"nfs-server", "172.25.2.11"}};
  return r;
}

TEST_F(BootTreeMenuTest, OneEntryPerReleaseWithItsLatestKernelPerOption) {
  BootTreeIndex index = BootTreeIndex::Scan(root());
  std::vector<MenuEntry> menu = BuildBootTreeMenu(index, {{"overlayfs", "", "a"}, {"nfsrw", "rw", "b"}});
  ASSERT_EQ(menu.size(), 4u);
  EXPECT_EQ(menu[0].name, "debian-bookworm-latest-overlayfs");
  EXPECT_EQ(menu[0].label, "debian/bookworm/latest (6.1.0-18-amd64) overlayfs");
  EXPECT_EQ(menu[0].kernel.url, "debian/bookworm/boot/vmlinuz-6.1.0-18-amd64");  // not -9
  ASSERT_EQ(menu[0].initrds.size(), 1u);
  EXPECT_EQ(menu[0].initrds[0].url, "debian/bookworm/boot/initrd.img-6.1.0-18-amd64");
  EXPECT_EQ(menu[0].cmdline_template, "a");
  EXPECT_EQ(menu[0].parameters.at("rootfs_path"), root() + "/debian/bookworm");
  EXPECT_EQ(menu[1].name, "debian-bookworm-latest-nfsrw");
  EXPECT_EQ(menu[1].label, "debian/bookworm/latest (6.1.0-18-amd64) rw");
  EXPECT_EQ(menu[2].name, "ubuntu-24_04-latest-overlayfs");  // '.' is not an iPXE label character
  EXPECT_EQ(menu[2].parameters.at("kernel_version"), "6.8.0-31-generic");
  EXPECT_EQ(menu[2].parameters.at("boot_release"), "24.04");

  // Default entries by name or by AutoPXE path.
  EXPECT_EQ(ResolveMenuDefault(menu, "ubuntu-24_04-latest-nfsrw"), "ubuntu-24_04-latest-nfsrw");
  EXPECT_EQ(ResolveMenuDefault(menu, "ubuntu/24.04/latest/nfsrw"), "ubuntu-24_04-latest-nfsrw");
  EXPECT_EQ(ResolveMenuDefault(menu, "debian/bookworm/latest"), "debian-bookworm-latest-overlayfs");
  EXPECT_EQ(ResolveMenuDefault(menu, "debian/bookworm/6.1.0-9-amd64/nfsrw"), std::nullopt);
  EXPECT_EQ(ResolveMenuDefault(menu, "debian/sid/latest/nfsrw"), std::nullopt);
}

TEST_F(BootTreeMenuTest, TreeWithUnsafeNamesIsLeftOutAndReported) {
  Touch("rootfs/evil/x$y/vmlinuz-1.0");  // '$' would expand as an iPXE setting
  std::vector<std::string> skipped;
  std::vector<MenuEntry> menu = BuildBootTreeMenu(BootTreeIndex::Scan(root()), {{"", "", "c"}}, &skipped);
  ASSERT_EQ(menu.size(), 2u);
  EXPECT_EQ(menu[0].name, "debian-bookworm-latest");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("evil/x$y/1.0"), std::string::npos) << skipped[0];

  Write("profile.yaml", kAutoPxeProfile);
  ManifestLoad load = Load();
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_NE(load.problems[0].message.find("left out of the menu"), std::string::npos) << load.problems[0].message;
  ASSERT_TRUE(load.default_assignment);
  EXPECT_EQ(load.default_assignment->boot.menu.size(), 4u);
}

TEST_F(BootTreeMenuTest, UnknownMachineGetsTheDefaultMenuWithoutInstallConfigs) {
  Write("profile.yaml", kAutoPxeProfile);
  ManifestLoad load = Load();
  ASSERT_TRUE(load.problems.empty()) << load.problems[0].message;
  EXPECT_TRUE(load.assignments.empty());
  ASSERT_TRUE(load.default_assignment);
  EXPECT_EQ(load.default_profile, "autopxe");
  const Assignment& d = *load.default_assignment;
  EXPECT_TRUE(d.allow_pxe);
  EXPECT_TRUE(d.interfaces.empty());
  EXPECT_TRUE(d.boot.install_configs.empty());                         // the preseed's secret stays with known machines
  EXPECT_EQ(d.boot.menu_default, "debian-bookworm-latest-overlayfs");  // kernel's tree + menu.default
  EXPECT_EQ(d.boot.kernel.url, "debian/bookworm/boot/vmlinuz-6.1.0-18-amd64");

  AssignmentStore store;
  EXPECT_EQ(store.FindByMac(Mac("52:54:00:aa:bb:cc")), nullptr);  // off until a profile opts in
  store.SetDefault(load.default_assignment);
  store.ReplaceAll(load.assignments);
  AssignmentStore::Ptr got = store.FindByMac(Mac("52:54:00:aa:bb:cc"));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->boot.profile_name, "autopxe");
  EXPECT_EQ(store.size(), 0u);  // not a Machine: not listed
  EXPECT_TRUE(store.All().empty());

  auto script = render::RenderIpxeScript(*got, Request("52:54:00:aa:bb:cc"));
  ASSERT_TRUE(script.ok()) << script.error().message;
  const std::string& s = *script;
  EXPECT_NE(s.find("item debian-bookworm-latest-overlayfs debian/bookworm/latest (6.1.0-18-amd64) overlayfs\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("item ubuntu-24_04-latest-nfsrw "), std::string::npos) << s;
  EXPECT_NE(s.find("item rackboot.shell iPXE shell\n"), std::string::npos) << s;
  EXPECT_NE(s.find("choose --default debian-bookworm-latest-overlayfs --timeout 10000 target"), std::string::npos) << s;
  // Each entry boots its own tree with its own rootfs in the template and the
  // rack's nfs-server from the environment.
  EXPECT_NE(s.find("kernel http://10.0.0.1:8080/boot/52-54-00-aa-bb-cc/ubuntu/24.04/vmlinuz-6.8.0-31-generic "
                   "root=/dev/nfs nfsroot=172.25.2.11:" +
                   root() +
                   "/ubuntu/24.04 ip=dhcp rw initrd=initrd.img-6.8.0-31-generic "
                   "|| goto ubuntu-24_04-latest-nfsrw.retry\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("nfsroot=172.25.2.11:" + root() + "/debian/bookworm ip=dhcp rootovl"), std::string::npos) << s;

  // A value unsafe for iPXE in the environment refuses the whole script.
  render::ScriptRequest bad = Request("52:54:00:aa:bb:cc");
  bad.environment["nfs-server"] = "1.2.3.4 && shell";
  EXPECT_FALSE(render::RenderIpxeScript(*got, bad).ok());
}

TEST_F(BootTreeMenuTest, PerMacDefaultsPickTheirEntry) {
  Write("profile.yaml", kAutoPxeProfile);
  Write("hosts.yaml", HostDefault("node1", "bc:24:11:b0:1a:de", "ubuntu/24.04/latest/nfsrw") + "---\n" +
                          HostDefault("node2", "bc:24:11:b0:1a:df", "debian-bookworm-latest-nfsrw") + "---\n" +
                          HostDefault("node3", "bc:24:11:b0:1a:e0", "arch/rolling/latest"));
  ManifestLoad load = Load();
  ASSERT_EQ(load.assignments.size(), 3u);
  EXPECT_EQ(load.assignments[0].boot.menu_default, "ubuntu-24_04-latest-nfsrw");
  EXPECT_EQ(load.assignments[1].boot.menu_default, "debian-bookworm-latest-nfsrw");
  // No such tree: reported, and the machine keeps the profile's default.
  EXPECT_EQ(load.assignments[2].boot.menu_default, "debian-bookworm-latest-overlayfs");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_NE(load.problems[0].message.find("node3"), std::string::npos) << load.problems[0].message;
  // Known machines keep their install configs.
  EXPECT_EQ(load.assignments[0].boot.install_configs.count("preseed"), 1u);
  auto script = render::RenderIpxeScript(load.assignments[0], Request("bc:24:11:b0:1a:de"));
  ASSERT_TRUE(script.ok()) << script.error().message;
  EXPECT_NE(script->find("choose --default ubuntu-24_04-latest-nfsrw "), std::string::npos) << *script;
}

TEST_F(BootTreeMenuTest, DefaultIsOptInAndUnique) {
  std::string plain = kAutoPxeProfile;
  plain.replace(plain.find("    rackboot.io/default-for-unknown-machines: \"true\"\n"),
                std::string("    rackboot.io/default-for-unknown-machines: \"true\"\n").size(), "");
  Write("a.yaml", plain);
  ManifestLoad load = Load();
  EXPECT_TRUE(load.problems.empty());
  EXPECT_FALSE(load.default_assignment);

  std::string second = kAutoPxeProfile;
  second.replace(second.find("name: autopxe"), 13, "name: zzz");
  Write("b.yaml", second);
  std::string third = second;
  third.replace(third.find("name: zzz"), 9, "name: yyy");
  Write("c.yaml", third);
  load = Load();
  ASSERT_TRUE(load.default_assignment);
  EXPECT_EQ(load.default_profile, "yyy");  // the first by name
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_NE(load.problems[0].message.find("zzz is marked default too"), std::string::npos) << load.problems[0].message;
}

TEST_F(BootTreeMenuTest, MenuWithoutBootTreesIsAProblem) {
  Write("profile.yaml", kAutoPxeProfile);
  ManifestLoad load = LoadManifestDirectory((base_ / "manifests").string(), "lab", (base_ / "empty").string());
  EXPECT_FALSE(load.default_assignment);
  EXPECT_EQ(load.profiles, 0u);
  ASSERT_FALSE(load.problems.empty());
}

}  // namespace
}  // namespace rackboot::bootd::standalone
