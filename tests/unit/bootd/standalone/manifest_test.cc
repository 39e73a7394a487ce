#include "bootd/standalone/manifest.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::standalone {
namespace {

ParsedManifest Parse(const std::string& text) {
  auto docs = LoadYamlDocumentsFromString(text, "m.yaml");
  return ParseManifest(docs.at(0), "m.yaml");
}

// Expects a ConfigError and returns it for inspection.
ConfigError ParseError(const std::string& text) {
  try {
    Parse(text);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return ConfigError("", 0, 0, "", "");
}

const char* kMachine = R"(apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata:
  name: node-a01
  labels: {team: infra}
spec:
  rack: rack-a
  uuid: 4C4C4544-0042-3510-8052-B4C04F565931
  architecture: x86_64
  firmware: uefi
  interfaces:
    - name: eno1
      mac: "52:54:00:12:34:01"
      ipv4: 10.77.0.21
    - mac: "52-54-00-12-34-02"
      primary: true
  bootProfileRef:
    name: debian
  netboot:
    allowPXE: false
    bootOnce: true
  parameters:
    console: ttyS1
  bootFileOverrides:
    x86_64-uefi: snponly.efi
)";

TEST(ManifestTest, ParsesEveryMachineField) {
  ParsedManifest p = Parse(kMachine);
  ASSERT_TRUE(p.machine);
  const MachineManifest& m = *p.machine;
  EXPECT_EQ(m.name, "node-a01");
  EXPECT_EQ(m.rack, "rack-a");
  EXPECT_EQ(m.hostname, "node-a01");  // defaults to the name
  EXPECT_EQ(m.uuid, "4c4c4544-0042-3510-8052-b4c04f565931");
  EXPECT_EQ(m.firmware, "uefi");
  ASSERT_EQ(m.interfaces.size(), 2u);
  EXPECT_EQ(m.interfaces[0].mac, "52:54:00:12:34:01");
  EXPECT_EQ(m.interfaces[0].ipv4, "10.77.0.21");
  EXPECT_FALSE(m.interfaces[0].primary);
  EXPECT_EQ(m.interfaces[1].mac, "52-54-00-12-34-02");  // as written; the resolver canonicalises
  EXPECT_TRUE(m.interfaces[1].primary);
  EXPECT_EQ(m.boot_profile, "debian");
  EXPECT_FALSE(m.allow_pxe);
  EXPECT_TRUE(m.boot_once);
  EXPECT_EQ(m.parameters.at("console"), "ttyS1");
  EXPECT_EQ(m.boot_file_overrides.at("x86_64-uefi"), "snponly.efi");
  EXPECT_EQ(m.origin.file, "m.yaml");
  EXPECT_EQ(m.origin.line, 1);
}

TEST(ManifestTest, FirstInterfaceIsPrimaryByDefaultAndPxeAllowed) {
  ParsedManifest p = Parse(R"(apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata: {name: small}
spec:
  rack: r1
  interfaces: [{mac: "aa:bb:cc:dd:ee:ff"}]
)");
  ASSERT_TRUE(p.machine);
  EXPECT_TRUE(p.machine->interfaces[0].primary);
  EXPECT_TRUE(p.machine->allow_pxe);
  EXPECT_EQ(p.machine->firmware, "auto");
  EXPECT_TRUE(p.machine->boot_profile.empty());
}

TEST(ManifestTest, BadMacNamesFileLineAndField) {
  std::string text = kMachine;
  text.replace(text.find("52:54:00:12:34:01"), 17, "52:54:00:12:34:zz");
  ConfigError e = ParseError(text);
  EXPECT_EQ(e.file(), "m.yaml");
  EXPECT_EQ(e.line(), 13);
  EXPECT_EQ(e.field(), "spec.interfaces[0].mac");
}

TEST(ManifestTest, UnknownFieldIsRejected) {
  std::string text = kMachine;
  text.replace(text.find("  rack: rack-a"), 14, "  rakc: rack-a");
  ConfigError e = ParseError(text);
  EXPECT_EQ(e.field(), "spec.rack");  // the required field is missing first
  text = kMachine;
  text += "  bootOnce: true\n";
  e = ParseError(text);
  EXPECT_EQ(e.field(), "spec.bootOnce");
  EXPECT_NE(std::string(e.what()).find("unknown field"), std::string::npos);
}

TEST(ManifestTest, RejectsWhatTheCrdRejects) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string t = kMachine;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  EXPECT_EQ(ParseError(with("apiVersion: rackboot.io/v1alpha1", "apiVersion: rackboot.io/v1")).field(), "apiVersion");
  EXPECT_EQ(ParseError(with("firmware: uefi", "firmware: efi")).field(), "spec.firmware");
  EXPECT_EQ(ParseError(with("ipv4: 10.77.0.21", "ipv4: 10.77.0.300")).field(), "spec.interfaces[0].ipv4");
  EXPECT_EQ(ParseError(with("x86_64-uefi", "x86-uefi")).field(), "spec.bootFileOverrides");
  EXPECT_EQ(ParseError(with("uuid: 4C4C4544-0042-3510-8052-B4C04F565931", "uuid: 00000000-0000-0000-0000-000000000000"))
                .field(),
            "spec.uuid");
  EXPECT_EQ(ParseError(with("52-54-00-12-34-02", "52:54:00:12:34:01")).field(), "spec.interfaces[1].mac");
  EXPECT_EQ(ParseError(with("kind: Machine", "kind: Pod")).field(), "kind");
  EXPECT_EQ(ParseError(with("name: node-a01", "name: Node_A01")).field(), "metadata.name");
}

const char* kProfile = R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata:
  name: debian
spec:
  kernel:
    path: debian/bookworm/vmlinuz
    sha256: 0000000000000000000000000000000000000000000000000000000000000001
  initrds:
    - url: http://10.77.0.1:8080/initrd.gz
  cmdline: console={{console}} auto=true
  templates:
    ipxe: |
      #!ipxe
      boot
  menu:
    default: install
    timeoutSeconds: 5
    entries:
      - name: install
        label: Install
      - name: rescue
        label: Rescue
        cmdline: rescue/enable=true
      - name: disk
        label: Local disk
        action: localboot
  install:
    preseed: "d-i foo string bar"
    cloudInit:
      userData: "#cloud-config\n"
      metaData: "instance-id: x"
  parameters:
    - name: console
      default: ttyS0
      description: Kernel console.
    - name: token
      required: true
)";

TEST(ManifestTest, ParsesEveryBootProfileField) {
  ParsedManifest p = Parse(kProfile);
  ASSERT_TRUE(p.profile);
  const BootProfileManifest& b = *p.profile;
  EXPECT_EQ(b.kernel.path, "debian/bookworm/vmlinuz");
  EXPECT_EQ(b.kernel.sha256.size(), 64u);
  ASSERT_EQ(b.initrds.size(), 1u);
  EXPECT_EQ(b.initrds[0].url, "http://10.77.0.1:8080/initrd.gz");
  EXPECT_EQ(b.cmdline, "console={{console}} auto=true");
  EXPECT_EQ(b.ipxe_template, "#!ipxe\nboot\n");
  ASSERT_EQ(b.menu.size(), 3u);
  EXPECT_EQ(b.menu[1].cmdline.value_or(""), "rescue/enable=true");
  EXPECT_EQ(b.menu[2].action, "localboot");
  EXPECT_EQ(b.menu_default, "install");
  EXPECT_EQ(b.menu_timeout_seconds, 5);
  EXPECT_EQ(b.install.preseed.value_or(""), "d-i foo string bar");
  ASSERT_TRUE(b.install.cloud_init);
  EXPECT_EQ(b.install.cloud_init->user_data, "#cloud-config\n");
  EXPECT_EQ(b.install.cloud_init->meta_data.value_or(""), "instance-id: x");
  ASSERT_EQ(b.parameters.size(), 2u);
  EXPECT_EQ(b.parameters[0].default_value.value_or(""), "ttyS0");
  EXPECT_TRUE(b.parameters[1].required);
}

TEST(ManifestTest, BootProfileRules) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string t = kProfile;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  // Exactly one of url or path.
  EXPECT_EQ(ParseError(with("    path: debian/bookworm/vmlinuz\n",
                            "    path: debian/bookworm/vmlinuz\n    url: http://x/vmlinuz\n"))
                .field(),
            "spec.kernel.path");
  EXPECT_EQ(ParseError(with("path: debian/bookworm/vmlinuz", "path: debian/../../etc/shadow")).field(),
            "spec.kernel.path");
  EXPECT_EQ(ParseError(with("sha256: 0000", "sha256: 0x00")).field(), "spec.kernel.sha256");
  EXPECT_EQ(ParseError(with("default: install", "default: nope")).field(), "spec.menu.default");
  EXPECT_EQ(ParseError(with("      #!ipxe\n", "      echo hi\n")).field(), "spec.templates.ipxe");
  EXPECT_EQ(ParseError(with("        action: localboot", "        action: localboot\n        cmdline: x")).field(),
            "spec.menu.entries[2].cmdline");
  EXPECT_EQ(ParseError(with("      required: true", "      required: true\n      default: x")).field(),
            "spec.parameters[1].required");
}

TEST(ManifestTest, ProfileNeedsSomethingToBoot) {
  ConfigError e = ParseError(R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: empty}
spec:
  kernel: {url: "http://10.0.0.1/vmlinuz"}
)");
  EXPECT_EQ(e.field(), "spec.cmdline");
}

// Standalone switches are annotations (valid for the CRDs); their values
// are checked like fields.
TEST(ManifestTest, AnnotationsAreReadAndSwitchesMustBeBooleans) {
  const std::string head = "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: p\n";
  const std::string spec = "spec:\n  kernel: {path: vmlinuz}\n  cmdline: quiet\n";
  ParsedManifest ok = Parse(head +
                            "  annotations:\n    rackboot.io/default-for-unknown-machines: \"true\"\n"
                            "    rackboot.io/menu-default: debian/bookworm/latest\n    other.io/x: y\n" +
                            spec);
  ASSERT_TRUE(ok.profile);
  EXPECT_EQ(ok.profile->annotations.at(kDefaultProfileAnnotation), "true");
  EXPECT_EQ(ok.profile->annotations.at(kMenuDefaultAnnotation), "debian/bookworm/latest");
  EXPECT_EQ(ok.profile->annotations.size(), 3u);
  ConfigError e = ParseError(head + "  annotations:\n    rackboot.io/boot-tree-menu: \"yes\"\n" + spec);
  EXPECT_EQ(e.field(), "metadata.annotations");
  EXPECT_NE(std::string(e.what()).find("rackboot.io/boot-tree-menu"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace rackboot::bootd::standalone
