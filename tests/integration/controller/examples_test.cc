// Every Kubernetes manifest of deploy/examples/ (the BootProfiles and the
// Machines), applied with kubectl to the real test apiserver, pushed by the
// real rackboot-controller to a real bootd (controller mode), and served by
// that bootd over HTTP: the scripts and install configs fetched with curl
// carry the values the examples set -- no empty variable anywhere. A
// BootProfile that uses an unknown variable gets a status condition naming
// it, and its Machine is not pushed.
//
// How the examples are adapted: only the namespace (one per test) and the
// listen addresses. bootd gets deploy/examples/bootd.yaml's publicUrl and an
// artifact cache (as that file sets), so the URLs in the scripts are those
// a rack-a machine would be told; curl fetches them from bootd's loopback
// listener (the host part of publicUrl is only text in a script).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "bootd/agent/snapshot_file.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/child_process.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

constexpr const char* kPublicUrl = "http://10.77.0.1:8080";

std::string ReadSource(const std::string& path) {
  std::ifstream in(SourcePath(path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Fetched {
  int status = 0;
  std::string body;
};

// curl, the way a loader fetches: one GET, the body and the status code.
Fetched Curl(const std::string& url) {
  const std::string cmd = "curl -sS -o - -w '\\n%{http_code}' '" + url + "' 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  Fetched f;
  const size_t nl = out.rfind('\n');
  if (nl == std::string::npos) return f;
  f.status = std::atoi(out.c_str() + nl + 1);
  f.body = out.substr(0, nl);
  return f;
}

// A value left empty by a template shows as "key=" before a space or line
// end, or a bare keyword at the end of a line.
void ExpectNoEmptyValue(const std::string& text, const std::string& what) {
  EXPECT_EQ(text.find("{{"), std::string::npos) << what << ":\n" << text;
  EXPECT_EQ(text.find("= "), std::string::npos) << what << ":\n" << text;
  EXPECT_EQ(text.find("=\n"), std::string::npos) << what << ":\n" << text;
  EXPECT_EQ(text.find(": \n"), std::string::npos) << what << ":\n" << text;
}

std::string Condition(const web::json::value& object, const std::string& type, const std::string& field) {
  if (!object.has_field("status") || !object.at("status").has_field("conditions")) return "";
  for (const auto& c : object.at("status").at("conditions").as_array()) {
    if (c.at("type").as_string() == type) return c.at(field).as_string();
  }
  return "";
}

// The text after `prefix` up to a space, '/' or line end ("" if absent).
std::string Token(const std::string& text, const std::string& prefix) {
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  const size_t from = at + prefix.size();
  return text.substr(from, text.find_first_of(" /\n", from) - from);
}

bool Pushed(const std::string& snap, const std::string& machine) {
  auto s = bootd::agent::ReadSnapshotFile(snap);
  if (!s.ok()) return false;
  for (const auto& a : s->assignments()) {
    if (a.machine_name() == machine) return true;
  }
  return false;
}

TEST(ExamplesTest, EveryExampleRendersThroughTheControllerWithTheValuesItSets) {
  TestPki pki("examples");
  ASSERT_TRUE(pki.ok()) << "make_test_pki.sh";
  TestNamespace ns("examples");
  const std::string n = ns.name();
  for (const char* f : {"bootprofile-debian.yaml", "bootprofile-ubuntu-cloudinit.yaml", "machines.yaml"}) {
    auto applied = Kubectl("apply -n " + n + " -f -", ReadSource(std::string("deploy/examples/") + f));
    ASSERT_EQ(applied.exit_code, 0) << f << ": " << applied.output;
  }
  // Not an example: the typo an operator makes, to see it reported.
  const std::string typo =
      "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata: {name: typo}\nspec:\n"
      "  kernel: {path: vmlinuz}\n  cmdline: hostname={{hostname}}\n---\n" +
      MachineYaml(n, "node-a03", "52:54:00:12:34:21", "typo");
  auto applied = Kubectl("apply -n " + n + " -f -", typo);
  ASSERT_EQ(applied.exit_code, 0) << applied.output;

  const int grpc_port = FreeLoopbackPort();
  ControllerProcess controller(
      "examples", "namespace: " + n +
                      "\nleaderElection: {enabled: false}\n"
                      "racks:\n- name: rack-a\n  subnet: 10.77.0.0/24\n  pool: {start: 10.77.0.100, end: 10.77.0.199}\n"
                      "grpc:\n  listen: 127.0.0.1:" +
                      std::to_string(grpc_port) + "\n  tls:\n    caFile: " + pki.File("ca.pem") + "\n    certFile: " +
                      pki.File("controller.pem") + "\n    keyFile: " + pki.File("controller.key") + "\n");
  const int http_port = FreeLoopbackPort();
  const std::string bootd_config = pki.dir() + "/bootd.yaml";
  {
    std::ofstream out(bootd_config);
    out << "rack: rack-a\nlogLevel: info\nstateDir: " << pki.dir() << "\nhttp:\n  listen: 127.0.0.1:" << http_port
        << "\n  publicUrl: " << kPublicUrl << "\n  artifactRoot: " << pki.dir() << "\n  artifactCacheDir: " << pki.dir()
        << "/cache\ncontroller:\n  address: 127.0.0.1:" << grpc_port << "\n  caFile: " << pki.File("ca.pem")
        << "\n  certFile: " << pki.File("bootd-rack-a.pem") << "\n  keyFile: " << pki.File("bootd-rack-a.key") << "\n";
  }
  BootdProcess bootd(bootd_config, pki.dir() + "/bootd.log");
  const std::string snap = pki.dir() + "/assignments.snap";
  ASSERT_TRUE(WaitUntil([&] { return Pushed(snap, n + "/node-a01") && Pushed(snap, n + "/node-a02"); },
                        std::chrono::seconds(120)))
      << controller.Log() << bootd.Log();
  const std::string base = "http://127.0.0.1:" + std::to_string(http_port);

  // node-a01: Debian, menu with a localboot entry, preseed.
  Fetched ipxe = Curl(base + "/ipxe/52-54-00-12-34-01");
  ASSERT_EQ(ipxe.status, 200) << ipxe.body << bootd.Log();
  ExpectNoEmptyValue(ipxe.body, "node-a01 iPXE");
  EXPECT_NE(ipxe.body.find("item install Install Debian 12 (preseeded)\n"), std::string::npos) << ipxe.body;
  EXPECT_NE(ipxe.body.find("item disk Boot from local disk\n"), std::string::npos) << ipxe.body;
  EXPECT_NE(ipxe.body.find("sanboot --no-describe --drive 0x80 || exit\n"), std::string::npos) << ipxe.body;
  EXPECT_NE(ipxe.body.find("--default install --timeout 5000"), std::string::npos) << ipxe.body;
  EXPECT_NE(ipxe.body.find(std::string("kernel ") + kPublicUrl +
                           "/cached/52-54-00-12-34-01/5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef/"
                           "linux auto=true priority=critical console=ttyS1,115200 hostname=node-a01.lab.example.com "
                           "url=" +
                           kPublicUrl + "/config/52-54-00-12-34-01/preseed?token="),
            std::string::npos)
      << ipxe.body;
  EXPECT_NE(ipxe.body.find("rescue/enable=true console=ttyS1,115200"), std::string::npos) << ipxe.body;
  const std::string token = Token(ipxe.body, "preseed?token=");
  ASSERT_FALSE(token.empty()) << ipxe.body;
  Fetched preseed = Curl(base + "/config/52-54-00-12-34-01/preseed?token=" + token);
  ASSERT_EQ(preseed.status, 200) << preseed.body;
  ExpectNoEmptyValue(preseed.body, "node-a01 preseed");
  EXPECT_NE(preseed.body.find("d-i netcfg/get_hostname string node-a01.lab.example.com\n"), std::string::npos)
      << preseed.body;
  EXPECT_NE(preseed.body.find(std::string("curl -fsS -X POST ") + kPublicUrl + "/booted/52-54-00-12-34-01\n"),
            std::string::npos)
      << preseed.body;
  Fetched grub = Curl(base + "/grub/52-54-00-12-34-01");
  ASSERT_EQ(grub.status, 200) << grub.body;
  ExpectNoEmptyValue(grub.body, "node-a01 GRUB");
  EXPECT_NE(grub.body.find("linux (http,10.77.0.1:8080)/cached/52-54-00-12-34-01/"), std::string::npos) << grub.body;
  EXPECT_NE(grub.body.find("hostname=node-a01.lab.example.com"), std::string::npos) << grub.body;

  // node-a02: Ubuntu, the example's own iPXE template, cloud-init NoCloud.
  Fetched script = Curl(base + "/ipxe/52-54-00-12-34-11");
  ASSERT_EQ(script.status, 200) << script.body << bootd.Log();
  ExpectNoEmptyValue(script.body, "node-a02 iPXE");
  const std::string seed_prefix = std::string(kPublicUrl) + "/config/52-54-00-12-34-11/t/";
  const std::string seed = Token(script.body, seed_prefix);
  ASSERT_FALSE(seed.empty()) << script.body;
  EXPECT_NE(script.body.find(std::string("kernel ") + kPublicUrl +
                             "/boot/52-54-00-12-34-11/ubuntu/24.04/vmlinuz ip=dhcp autoinstall ds=nocloud-net;s=" +
                             seed_prefix + seed + "/ console=ttyS0,115200 initrd=initrd\n"),
            std::string::npos)
      << script.body;
  EXPECT_NE(script.body.find(std::string("initrd --name initrd ") + kPublicUrl +
                             "/boot/52-54-00-12-34-11/ubuntu/24.04/initrd\n"),
            std::string::npos)
      << script.body;
  Fetched user_data = Curl(base + "/config/52-54-00-12-34-11/t/" + seed + "/user-data");
  ASSERT_EQ(user_data.status, 200) << user_data.body;
  ExpectNoEmptyValue(user_data.body, "node-a02 user-data");
  EXPECT_NE(
      user_data.body.find(
          R"(identity: {hostname: "node-a02", username: ops, password: "$6$rounds=4096$example$Jf0bWc5mE0n4r8wQzQm2a0"})"),
      std::string::npos)
      << user_data.body;
  EXPECT_NE(user_data.body.find(std::string("- curl -fsS -X POST \"") + kPublicUrl + "/booted/52-54-00-12-34-11\""),
            std::string::npos)
      << user_data.body;
  Fetched meta_data = Curl(base + "/config/52-54-00-12-34-11/t/" + seed + "/meta-data");
  ASSERT_EQ(meta_data.status, 200) << meta_data.body;
  EXPECT_EQ(meta_data.body, "instance-id: \"" + n + "/node-a02\"\nlocal-hostname: \"node-a02\"\n");

  // BootProfile status: who uses it, and Ready.
  web::json::value debian;
  ASSERT_TRUE(WaitUntil([&] {
    debian = KubectlJson("get bootprofile -n " + n + " debian-12-install -o json");
    return Condition(debian, "Ready", "status") == "True" && debian.at("status").at("machines").as_integer() == 1;
  })) << debian.serialize()
      << controller.Log();
  EXPECT_EQ(debian.at("status").at("machineNames").at(0).as_string(), "node-a01");
  EXPECT_EQ(debian.at("status").at("observedGeneration").as_integer(),
            debian.at("metadata").at("generation").as_integer());

  // The typo: the profile's condition names the variable and the field; its
  // Machine says the same and is not pushed.
  web::json::value bad;
  ASSERT_TRUE(WaitUntil([&] {
    bad = KubectlJson("get bootprofile -n " + n + " typo -o json");
    return Condition(bad, "TemplatesValid", "status") == "False";
  })) << bad.serialize()
      << controller.Log();
  EXPECT_EQ(Condition(bad, "TemplatesValid", "reason"), "UnknownVariable");
  EXPECT_EQ(Condition(bad, "TemplatesValid", "message"),
            "BootProfile typo: spec.cmdline uses unknown variable {{hostname}} (did you mean {{machine.hostname}}?)");
  EXPECT_EQ(Condition(bad, "Ready", "status"), "False");
  web::json::value m3;
  ASSERT_TRUE(WaitUntil([&] {
    m3 = KubectlJson("get machine -n " + n + " node-a03 -o json");
    return Condition(m3, "ProfileResolved", "status") == "False";
  })) << m3.serialize();
  EXPECT_NE(Condition(m3, "ProfileResolved", "message").find("spec.cmdline uses unknown variable {{hostname}}"),
            std::string::npos);
  EXPECT_FALSE(Pushed(snap, n + "/node-a03"));
  Fetched unknown = Curl(base + "/ipxe/52-54-00-12-34-21");
  EXPECT_NE(unknown.body.find("no machine with MAC 52:54:00:12:34:21"), std::string::npos) << unknown.body;
  // The printer columns an operator scans.
  auto table = Kubectl("get bootprofiles -n " + n);
  EXPECT_NE(table.output.find("MACHINES"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("READY"), std::string::npos) << table.output;
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

}  // namespace
}  // namespace rackboot::testing
