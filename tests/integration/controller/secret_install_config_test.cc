// Secrets stay secrets (issue 13 step 6), with real parts: a Secret, a
// BootProfile whose user-data comes from it and a Machine whose password
// hash does, applied with kubectl to the test apiserver; the real
// rackboot-controller reads the Secret (label-selected informer) and pushes
// over mTLS gRPC to a real bootd, which serves the install config to curl
// only with that machine's token. A Secret change reaches bootd. Then every
// output a user or an attacker can see -- both daemons' logs, the Events,
// both /metrics, Machine and BootProfile objects, bootd's unauthenticated
// endpoints -- is searched for the secret values: none may appear.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/child_process.h"

namespace rackboot::testing {
namespace {

struct HttpResult {
  int code = 0;
  std::string body;
};

// A real HTTP client: curl, loopback only.
HttpResult Curl(const std::string& url) {
  const std::string cmd = "curl -s --max-time 20 -w '\\n%{http_code}' '" + url + "'";
  HttpResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  std::string out;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  const size_t nl = out.rfind('\n');
  if (nl == std::string::npos) return r;
  r.code = std::atoi(out.c_str() + nl + 1);
  r.body = out.substr(0, nl);
  return r;
}

// The config token bootd minted into a machine's script (config_base URL
// ".../config/<mac>/t/<token>/").
std::string TokenIn(const std::string& script) {
  const size_t at = script.find("/t/");
  if (at == std::string::npos) return "";
  const size_t end = script.find('/', at + 3);
  return end == std::string::npos ? "" : script.substr(at + 3, end - at - 3);
}

std::string SecretYaml(const std::string& ns, const std::string& marker, const std::string& hash) {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: node-creds\n  namespace: " + ns +
         "\n  labels: {rackboot.io/secret: \"true\"}\nstringData:\n  user-data: |\n    #cloud-config\n    # " + marker +
         "\n    password: {{params.pw}}\n  hash: \"" + hash + "\"\n";
}

constexpr const char* kMac1 = "52:54:00:00:0b:01";
constexpr const char* kMac2 = "52:54:00:00:0b:02";

std::string Manifests(const std::string& ns) {
  const std::string profile =
      "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: secret-install\n"
      "  namespace: " +
      ns +
      "\nspec:\n  kernel: {url: \"http://192.0.2.10/vmlinuz\"}\n"
      "  cmdline: \"console=ttyS0 ds=nocloud-net;s={{config_base}}\"\n"
      "  install:\n    cloudInit:\n      userDataSecretRef: {name: node-creds, key: user-data}\n"
      "      metaData: \"instance-id: {{machine.name}}\"\n";
  // Uses the secret parameter in its unauthenticated command line: refused.
  const std::string leaky =
      "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: leaky\n"
      "  namespace: " +
      ns + "\nspec:\n  kernel: {url: \"http://192.0.2.10/vmlinuz\"}\n  cmdline: \"pw={{params.pw}}\"\n";
  auto machine = [&](const std::string& name, const std::string& mac, const std::string& prof, bool secret) {
    return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
           "\nspec:\n  rack: rack-a\n  interfaces: [{mac: \"" + mac + "\"}]\n  bootProfileRef: {name: " + prof + "}\n" +
           (secret ? "  secretParameters:\n    pw: {name: node-creds, key: hash}\n" : "");
  };
  return profile + "---\n" + leaky + "---\n" + machine("m1", kMac1, "secret-install", true) + "---\n" +
         machine("m2", kMac2, "secret-install", false) + "---\n" + machine("m3", "52:54:00:00:0b:03", "leaky", true);
}

class SecretInstallConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "make_test_pki.sh"; }
  std::string Pki(const std::string& f) const { return pki_.File(f); }
  TestPki pki_{"secret"};
};

TEST_F(SecretInstallConfigTest, ServedOnlyWithTheMachinesTokenFollowsTheSecretAndLeaksNowhere) {
  TestNamespace ns("secret");
  // Values unique to this run, so a match can only come from this test.
  const std::string tag = std::to_string(getpid());
  const std::string marker1 = "USERDATA-MARKER-ONE-" + tag, hash1 = "$6$HASHONE" + tag;
  const std::string marker2 = "USERDATA-MARKER-TWO-" + tag, hash2 = "$6$HASHTWO" + tag;
  ASSERT_EQ(Kubectl("apply -f -", SecretYaml(ns.name(), marker1, hash1)).exit_code, 0);
  auto applied = Kubectl("apply -f -", Manifests(ns.name()));
  ASSERT_EQ(applied.exit_code, 0) << applied.output;

  const int grpc_port = FreeLoopbackPort();
  const int controller_metrics = FreeLoopbackPort();
  ControllerProcess controller(
      "secret", "namespace: " + ns.name() +
                    "\nlogLevel: debug\nleaderElection: {enabled: false}\n"
                    "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.109}\n"
                    "metrics:\n  listen: 127.0.0.1:" +
                    std::to_string(controller_metrics) + "\ngrpc:\n  listen: 127.0.0.1:" + std::to_string(grpc_port) +
                    "\n  tls:\n    caFile: " + Pki("ca.pem") + "\n    certFile: " + Pki("controller.pem") +
                    "\n    keyFile: " + Pki("controller.key") + "\n");
  const int http_port = FreeLoopbackPort();
  const int bootd_metrics = FreeLoopbackPort();
  const std::string base = "http://127.0.0.1:" + std::to_string(http_port);
  const std::string bootd_config = pki_.dir() + "/bootd.yaml";
  std::ofstream(bootd_config) << "rack: rack-a\nlogLevel: debug\nstateDir: " << pki_.dir()
                              << "\nhttp:\n  listen: 127.0.0.1:" << http_port << "\n  publicUrl: " << base
                              << "\n  publicConfigs: [meta-data, user-data]\nmetrics:\n  listen: 127.0.0.1:"
                              << bootd_metrics << "\ncontroller:\n  address: 127.0.0.1:" << grpc_port
                              << "\n  caFile: " << Pki("ca.pem") << "\n  certFile: " << Pki("bootd-rack-a.pem")
                              << "\n  keyFile: " << Pki("bootd-rack-a.key") << "\n";
  BootdProcess bootd(bootd_config, pki_.dir() + "/bootd.log");
  auto logs = [&] { return "controller:\n" + controller.Log() + "\nbootd:\n" + bootd.Log(); };

  // Both machines known to bootd: their scripts carry a config token.
  std::string script1, script2;
  ASSERT_TRUE(WaitUntil([&] {
    script1 = Curl(base + "/ipxe/" + kMac1).body;
    script2 = Curl(base + "/ipxe/" + kMac2).body;
    return !TokenIn(script1).empty() && !TokenIn(script2).empty();
  })) << script1
      << logs();
  const std::string token1 = TokenIn(script1), token2 = TokenIn(script2);
  ASSERT_NE(token1, token2);
  const std::string config1 = base + "/config/" + kMac1;

  // With the machine's token: the Secret's user-data, the secret parameter rendered in.
  HttpResult ok = Curl(config1 + "/user-data?token=" + token1);
  EXPECT_EQ(ok.code, 200);
  EXPECT_NE(ok.body.find(marker1), std::string::npos) << ok.body;
  EXPECT_NE(ok.body.find(hash1), std::string::npos) << ok.body;
  EXPECT_EQ(Curl(base + "/config/" + kMac1 + "/t/" + token1 + "/user-data").code, 200);
  // Without it, with another machine's token, or a forged one: refused, even
  // though bootd lists user-data and meta-data as public configs.
  std::vector<HttpResult> refused{Curl(config1 + "/user-data"), Curl(config1 + "/user-data?token=" + token2),
                                  Curl(config1 + "/t/" + token2 + "/user-data"),
                                  Curl(config1 + "/user-data?token=v1.99999999999.00000000000000000000000000000000"),
                                  Curl(config1 + "/meta-data")};
  for (const HttpResult& r : refused) {
    EXPECT_EQ(r.code, 403) << r.body;
    EXPECT_EQ(r.body.find(marker1), std::string::npos);
  }
  // m2 has no secret parameter; its own user-data (from the same Secret) is
  // still token-only, and meta-data is public as configured.
  EXPECT_EQ(Curl(base + "/config/" + kMac2 + "/user-data").code, 403);
  EXPECT_EQ(Curl(base + "/config/" + kMac2 + "/meta-data").code, 200);

  // A profile using the secret parameter in its command line: refused with
  // a condition naming the field.
  web::json::value m3;
  ASSERT_TRUE(WaitUntil([&] {
    m3 = KubectlJson("get machine -n " + ns.name() + " m3");
    return ConditionReason(m3, "ProfileResolved") == "Unresolvable";
  })) << m3.serialize()
      << logs();
  EXPECT_NE(ConditionMessage(m3, "ProfileResolved")
                .find("spec.secretParameters.pw: BootProfile leaky uses params.pw in spec.cmdline"),
            std::string::npos)
      << ConditionMessage(m3, "ProfileResolved");

  // The Secret changes: the controller's informer sees it, re-pushes, bootd
  // serves the new value.
  ASSERT_EQ(Kubectl("apply -f -", SecretYaml(ns.name(), marker2, hash2)).exit_code, 0);
  HttpResult updated;
  ASSERT_TRUE(WaitUntil([&] {
    updated = Curl(config1 + "/user-data?token=" + token1);
    return updated.code == 200 && updated.body.find(marker2) != std::string::npos;
  })) << updated.body
      << logs();
  EXPECT_NE(updated.body.find(hash2), std::string::npos) << updated.body;
  EXPECT_EQ(updated.body.find(marker1), std::string::npos);

  // bootd's boot events (the script fetches above) have reached m1's status,
  // so the status searched below is one the events went through.
  ASSERT_TRUE(WaitUntil([&] {
    return KubectlJson("get machine -n " + ns.name() + " m1").serialize().find("bootProgress") != std::string::npos;
  })) << logs();

  // Everything observable without the token, and every output of both daemons.
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* mac : {kMac1, kMac2}) {
    for (const char* kind : {"ipxe", "grub", "pxelinux"}) {
      outputs.push_back({std::string(kind) + " " + mac, Curl(base + "/" + kind + "/" + mac).body});
    }
    outputs.push_back({std::string("events ") + mac, Curl(base + "/api/v1/events/" + mac).body});
  }
  outputs.push_back({"healthz", Curl(base + "/healthz").body});
  outputs.push_back({"bootd metrics", Curl("http://127.0.0.1:" + std::to_string(bootd_metrics) + "/metrics").body});
  outputs.push_back(
      {"controller metrics", Curl("http://127.0.0.1:" + std::to_string(controller_metrics) + "/metrics").body});
  outputs.push_back({"events", Kubectl("get events -n " + ns.name() + " -o json").output});
  outputs.push_back({"machines", Kubectl("get machines -n " + ns.name() + " -o json").output});
  outputs.push_back({"bootprofiles", Kubectl("get bootprofiles -n " + ns.name() + " -o json").output});
  // Stop both daemons so their logs are complete (shutdown lines included).
  EXPECT_EQ(bootd.Stop(), 0);
  EXPECT_EQ(controller.Kill(SIGTERM), 0);
  outputs.push_back({"controller log", controller.Log()});
  outputs.push_back({"bootd log", bootd.Log()});
  // Not hollow: the outputs are the real thing.
  auto output = [&](const std::string& what) {
    for (const auto& [name, text] : outputs) {
      if (name == what) return text;
    }
    return std::string();
  };
  EXPECT_NE(output(std::string("ipxe ") + kMac1).find("#!ipxe"), std::string::npos);
  EXPECT_NE(output("bootd log").find("install config refused"), std::string::npos) << "refusals are logged";
  EXPECT_NE(output("events").find("\"Machine\""), std::string::npos) << "Events exist";
  EXPECT_NE(output("bootd metrics").find("rackboot_"), std::string::npos);
  EXPECT_NE(output("machines").find("bootProgress"), std::string::npos) << "boot events reached the status";
  for (const auto& [what, text] : outputs) {
    EXPECT_FALSE(text.empty()) << what;
    for (const std::string& secret : {marker1, marker2, hash1, hash2}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into " << what << ":\n" << text;
    }
  }
}

}  // namespace
}  // namespace rackboot::testing
