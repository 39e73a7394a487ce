#include "bootd/standalone/manifest_directory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bootd/render/machine_scripts.h"
#include "tests/support/test_paths.h"

namespace rackboot::bootd::standalone {
namespace {

namespace fs = std::filesystem;

class ManifestDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rackboot-manifests-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string dir() const { return dir_.string(); }

  fs::path dir_;
};

const char* kProfile = R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: tiny}
spec:
  kernel: {path: vmlinuz}
  initrds: [{path: initrd.img}]
  cmdline: console={{params.console}} rb.callback={{booted_url}}
  parameters:
    - {name: console, default: ttyS0}
)";

std::string Machine(const std::string& name, const std::string& mac, const std::string& extra = "") {
  return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata: {name: " + name +
         "}\nspec:\n  rack: rack-a\n  interfaces: [{mac: \"" + mac + "\"}]\n  bootProfileRef: {name: tiny}\n" + extra;
}

TEST_F(ManifestDirectoryTest, ResolvesMachinesAgainstProfiles) {
  Write("profile.yaml", kProfile);
  Write("machines.yaml", Machine("vm1", "52:54:00:00:00:01", "  parameters: {console: ttyS1}\n") + "---\n" +
                             Machine("vm2", "52:54:00:00:00:02", "  netboot: {allowPXE: false}\n"));
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  EXPECT_TRUE(load.problems.empty()) << load.problems[0].message;
  EXPECT_EQ(load.files, 2u);
  EXPECT_EQ(load.profiles, 1u);
  ASSERT_EQ(load.assignments.size(), 2u);
  const Assignment& a = load.assignments[0];
  EXPECT_EQ(a.machine_name, "vm1");
  EXPECT_EQ(a.hostname, "vm1");
  EXPECT_TRUE(a.allow_pxe);
  EXPECT_EQ(a.boot.profile_name, "tiny");
  EXPECT_EQ(a.boot.kernel.url, "vmlinuz");
  ASSERT_EQ(a.boot.initrds.size(), 1u);
  EXPECT_EQ(a.boot.cmdline_template, "console={{params.console}} rb.callback={{booted_url}}");
  EXPECT_EQ(a.parameters.at("console"), "ttyS1");  // the Machine overrides the profile default
  EXPECT_EQ(load.assignments[1].parameters.at("console"), "ttyS0");
  EXPECT_FALSE(load.assignments[1].allow_pxe);
}

TEST_F(ManifestDirectoryTest, BadManifestIsReportedAndTheRestServed) {
  Write("a-profile.yaml", kProfile);
  Write("b-good.yaml", Machine("good", "52:54:00:00:00:01"));
  Write("c-bad.yml", Machine("bad", "52:54:00:00:00:zz"));
  Write("d-broken.yaml", "kind: Machine\nspec: [unclosed\n");
  Write("e-noprofile.yaml",
        Machine("lost", "52:54:00:00:00:03", "").replace(Machine("lost", "52:54:00:00:00:03").find("tiny"), 4, "nope"));
  Write("f-dupmac.yaml", Machine("twin", "52:54:00:00:00:01"));
  Write("g-otherrack.yaml",
        Machine("far", "52:54:00:00:00:09").replace(Machine("far", "52:54:00:00:00:09").find("rack-a"), 6, "rack-b"));
  Write("notes.txt", "not a manifest");
  Write(".hidden.yaml", "garbage: [");
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  ASSERT_EQ(load.assignments.size(), 1u);
  EXPECT_EQ(load.assignments[0].machine_name, "good");
  ASSERT_EQ(load.problems.size(), 4u);
  EXPECT_EQ(fs::path(load.problems[0].file).filename(), "c-bad.yml");
  EXPECT_EQ(load.problems[0].line, 6);
  EXPECT_EQ(load.problems[0].field, "spec.interfaces[0].mac");
  EXPECT_EQ(fs::path(load.problems[1].file).filename(), "d-broken.yaml");
  EXPECT_GT(load.problems[1].line, 0);
  EXPECT_EQ(load.problems[2].field, "spec.bootProfileRef.name");
  EXPECT_NE(load.problems[2].message.find("BootProfile nope not found"), std::string::npos);
  EXPECT_EQ(load.problems[3].field, "spec.interfaces");
  EXPECT_NE(load.problems[3].message.find("already belongs to good"), std::string::npos);
}

TEST_F(ManifestDirectoryTest, RequiredParameterMustBeSet) {
  std::string profile = kProfile;
  profile += "    - {name: token, required: true}\n";
  Write("p.yaml", profile);
  Write("m.yaml", Machine("a", "52:54:00:00:00:01") + "---\n" +
                      Machine("b", "52:54:00:00:00:02", "  parameters: {token: s3cr3t}\n"));
  ManifestLoad load = LoadManifestDirectory(dir(), "");
  ASSERT_EQ(load.assignments.size(), 1u);
  EXPECT_EQ(load.assignments[0].machine_name, "b");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_NE(load.problems[0].message.find("'token' is required"), std::string::npos);
}

TEST_F(ManifestDirectoryTest, MachineWithoutProfileIsKnownButNeverBoots) {
  Write("m.yaml",
        "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata: {name: bare}\n"
        "spec: {rack: rack-a, interfaces: [{mac: \"52:54:00:00:00:07\"}]}\n");
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  ASSERT_EQ(load.assignments.size(), 1u);
  EXPECT_FALSE(load.assignments[0].allow_pxe);
}

TEST_F(ManifestDirectoryTest, MenuKeepsBootEntries) {
  Write("p.yaml", R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: tiny}
spec:
  kernel: {path: vmlinuz}
  cmdline: quiet
  menu:
    default: rescue
    entries:
      - {name: install, label: Install}
      - {name: rescue, label: Rescue, cmdline: rescue=1}
      - {name: disk, label: Disk, action: localboot}
)");
  Write("m.yaml", Machine("a", "52:54:00:00:00:01"));
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  ASSERT_EQ(load.assignments.size(), 1u);
  const BootTarget& t = load.assignments[0].boot;
  ASSERT_EQ(t.menu.size(), 3u);
  EXPECT_EQ(t.menu[0].cmdline_template, "quiet");
  EXPECT_EQ(t.menu[1].cmdline_template, "rescue=1");
  EXPECT_EQ(t.menu[1].kernel.url, "vmlinuz");
  // localboot travels with its action and nothing to fetch.
  EXPECT_EQ(t.menu[2].action, "localboot");
  EXPECT_TRUE(t.menu[2].kernel.url.empty());
  EXPECT_EQ(t.menu_default, "rescue");
  EXPECT_EQ(t.menu_timeout_seconds, 10);  // CRD default
}

// One set of YAML through both doors: a labelled Secret supplies secret
// parameters; an unlabelled one is reported (the controller would not see
// it) and a machine needing it is skipped with the field named, no value.
TEST_F(ManifestDirectoryTest, SecretsNeedTheLabelAndNeverShowInProblems) {
  Write("profile.yaml", kProfile);
  Write("secrets.yaml", R"(apiVersion: v1
kind: Secret
metadata: {name: creds, labels: {rackboot.io/secret: "true"}}
stringData: {hash: HASH-VALUE-1}
---
apiVersion: v1
kind: Secret
metadata: {name: unlabelled}
stringData: {hash: HASH-VALUE-2}
)");
  Write("machines.yaml",
        Machine("vm1", "52:54:00:00:00:01", "  secretParameters: {pw: {name: creds, key: hash}}\n") + "---\n" +
            Machine("vm2", "52:54:00:00:00:02", "  secretParameters: {pw: {name: unlabelled, key: hash}}\n"));
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  ASSERT_EQ(load.assignments.size(), 1u);
  EXPECT_EQ(load.assignments[0].secret_parameters.at("pw"), "HASH-VALUE-1");
  EXPECT_EQ(load.assignments[0].parameters.count("pw"), 0u);
  ASSERT_EQ(load.problems.size(), 2u);
  EXPECT_NE(load.problems[0].message.find("Secret unlabelled has no label rackboot.io/secret"), std::string::npos)
      << load.problems[0].message;
  EXPECT_NE(load.problems[1].message.find("spec.secretParameters.pw: Secret 'unlabelled' not found"), std::string::npos)
      << load.problems[1].message;
  for (const auto& p : load.problems) EXPECT_EQ(p.message.find("HASH-VALUE"), std::string::npos) << p.message;
}

TEST_F(ManifestDirectoryTest, MissingDirectoryIsAProblemNotACrash) {
  ManifestLoad load = LoadManifestDirectory(dir() + "/nope", "");
  EXPECT_TRUE(load.assignments.empty());
  ASSERT_EQ(load.problems.size(), 1u);
}

TEST_F(ManifestDirectoryTest, ShippedExamplesLoad) {
  // deploy/examples holds the Machine/BootProfile manifests users start from.
  for (const char* f : {"bootprofile-debian.yaml", "bootprofile-ubuntu-cloudinit.yaml", "machines.yaml"}) {
    fs::copy_file(testing::SourcePath(std::string("deploy/examples/") + f), dir_ / f);
  }
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  for (const auto& p : load.problems) ADD_FAILURE() << p.message;
  ASSERT_EQ(load.assignments.size(), 2u);
  // Every script and install config renders (strict: an unknown variable
  // is an error) and carries the values the examples set; the end-to-end
  // version through the controller is tests/integration/examples.
  render::ScriptRequest req;
  req.public_url = "http://10.77.0.1:8080";
  req.config_token = "tok";
  req.upstream_via_cache = true;  // bootd.yaml sets http.artifactCacheDir
  for (const Assignment& a : load.assignments) {
    req.mac = a.interfaces.front().mac;
    for (auto render : {render::RenderIpxeScript, render::RenderGrubConfig, render::RenderPxelinuxConfig}) {
      auto out = render(a, req);
      ASSERT_TRUE(out.ok()) << a.machine_name << ": " << out.error().message;
      EXPECT_EQ(out->find("=\n"), std::string::npos) << *out;
      EXPECT_EQ(out->find("= "), std::string::npos) << *out;
    }
    for (const auto& [name, unused] : a.boot.install_configs) {
      auto out = render::RenderInstallConfig(a, req, name);
      ASSERT_TRUE(out.ok()) << a.machine_name << " " << name << ": " << out.error().message;
    }
  }
  const Assignment& debian = load.assignments[0];
  ASSERT_EQ(debian.machine_name, "node-a01");
  req.mac = debian.interfaces.front().mac;
  auto ipxe = render::RenderIpxeScript(debian, req);
  ASSERT_TRUE(ipxe.ok());
  EXPECT_NE(ipxe->find("console=ttyS1,115200 hostname=node-a01.lab.example.com "
                       "url=http://10.77.0.1:8080/config/52-54-00-12-34-01/preseed?token=tok"),
            std::string::npos)
      << *ipxe;
  EXPECT_NE(ipxe->find(":disk\n"), std::string::npos) << "the localboot entry";
  auto preseed = render::RenderInstallConfig(debian, req, "preseed");
  ASSERT_TRUE(preseed.ok());
  EXPECT_NE(preseed->find("get_hostname string node-a01.lab.example.com\n"), std::string::npos) << *preseed;
  EXPECT_NE(preseed->find("POST http://10.77.0.1:8080/booted/52-54-00-12-34-01\n"), std::string::npos) << *preseed;
  const Assignment& ubuntu = load.assignments[1];
  req.mac = ubuntu.interfaces.front().mac;
  auto script = render::RenderIpxeScript(ubuntu, req);
  ASSERT_TRUE(script.ok());
  EXPECT_NE(script->find("kernel http://10.77.0.1:8080/boot/52-54-00-12-34-11/ubuntu/24.04/vmlinuz ip=dhcp"),
            std::string::npos)
      << *script;
  EXPECT_NE(script->find("initrd --name initrd http://10.77.0.1:8080/boot/52-54-00-12-34-11/ubuntu/24.04/initrd\n"),
            std::string::npos)
      << *script;
  auto user_data = render::RenderInstallConfig(ubuntu, req, "user-data");
  ASSERT_TRUE(user_data.ok());
  EXPECT_NE(user_data->find("password: \"$6$rounds=4096$example$Jf0bWc5mE0n4r8wQzQm2a0\""), std::string::npos)
      << *user_data;
}

TEST_F(ManifestDirectoryTest, ProfileWithUnknownVariableIsSkippedNamingIt) {
  Write("p.yaml", R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: tiny}
spec:
  kernel: {path: vmlinuz}
  cmdline: console={{console}} host={{hostname}}
  parameters:
    - {name: console, default: ttyS0}
)");
  Write("m.yaml", Machine("a", "52:54:00:00:00:01"));
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  EXPECT_TRUE(load.assignments.empty());
  ASSERT_GE(load.problems.size(), 2u);
  EXPECT_EQ(load.problems[0].field, "spec.cmdline");
  EXPECT_NE(load.problems[0].message.find("BootProfile tiny: spec.cmdline uses unknown variable {{console}} (did "
                                          "you mean {{params.console}}?); profile skipped"),
            std::string::npos)
      << load.problems[0].message;
}

TEST_F(ManifestDirectoryTest, ParameterTheMachineDoesNotSetSkipsTheMachine) {
  Write("p.yaml", R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: tiny}
spec:
  kernel: {path: vmlinuz}
  cmdline: role={{params.role}}{{#params.extra}} extra={{params.extra}}{{/params.extra}}
)");
  Write("m.yaml", Machine("a", "52:54:00:00:00:01"));
  ManifestLoad load = LoadManifestDirectory(dir(), "rack-a");
  EXPECT_TRUE(load.assignments.empty());
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_NE(load.problems[0].message.find("spec.cmdline uses unknown variable {{params.role}} (no parameter 'role'"),
            std::string::npos)
      << load.problems[0].message;
}

}  // namespace
}  // namespace rackboot::bootd::standalone
