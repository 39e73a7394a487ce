// One spec, two doors: each fixture under two_doors/ goes through the
// controller's path (YAML -> JSON as kubectl sends it -> model::Machine /
// model::BootProfile -> DecideMachine) and standalone bootd's path (the
// manifest directory loader). The HostAssignments must be equal and every
// script and install config bootd renders from them byte-identical. A
// second test checks that the fixtures set every field of both CRDs. The
// bootOnce lifecycle goes through both doors too: a booted record
// (controller: status.provisioned; standalone: bootd's records file) ends
// netbooting alike.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bootd/agent/assignment_conversion.h"
#include "bootd/render/machine_scripts.h"
#include "bootd/standalone/manifest.h"
#include "bootd/standalone/manifest_directory.h"
#include "common/yaml_config.h"
#include "controller/k8s/api_client.h"
#include "controller/model/boot_profile.h"
#include "controller/model/machine.h"
#include "controller/model/secret.h"
#include "controller/reconcile/machine_decision.h"

namespace rackboot {
namespace {

namespace fs = std::filesystem;
using web::json::value;

constexpr const char* kRack = "r1";

// What kubectl does to a manifest before the API server sees it: YAML to
// JSON, a plain scalar typed by its looks, a quoted one always a string.
value YamlToJson(const YAML::Node& n) {
  if (n.IsMap()) {
    value o = value::object();
    for (const auto& kv : n) o[kv.first.as<std::string>()] = YamlToJson(kv.second);
    return o;
  }
  if (n.IsSequence()) {
    value a = value::array();
    size_t i = 0;
    for (const auto& item : n) a[i++] = YamlToJson(item);
    return a;
  }
  if (n.IsNull()) return value::null();
  const std::string text = n.Scalar();
  if (n.Tag() == "?") {
    if (text == "true" || text == "false") return value::boolean(text == "true");
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
      return value::number(static_cast<int64_t>(std::stoll(text)));
    }
  }
  return value::string(text);
}

struct Fixture {
  std::vector<YAML::Node> documents;
};

Fixture LoadFixtures() {
  Fixture f;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(RACKBOOT_FIXTURES)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    for (const auto& doc : LoadYamlDocuments(path.string())) {
      if (!doc.IsNull()) f.documents.push_back(doc);
    }
  }
  return f;
}

// The booted records both doors get (none by default).
using Booted = std::map<std::string, resolve::ProvisionRecord>;

// The controller's door: JSON objects as the informer caches hold them;
// a booted record is the status.provisioned boot progress wrote.
std::map<std::string, v1alpha1::HostAssignment> ThroughController(const Fixture& f, const Booted& booted = {}) {
  std::map<std::string, model::BootProfile> profiles;
  std::vector<model::Machine> machines;
  std::map<std::string, resolve::SecretData> secrets;  // namespace -> what the Secret informer holds
  for (const auto& doc : f.documents) {
    const value json = YamlToJson(doc);
    if (doc["kind"].Scalar() == "Secret") {
      secrets[k8s::ObjectNamespace(json)][k8s::ObjectName(json)] = model::SecretValuesFromJson(json);
    } else if (doc["kind"].Scalar() == "BootProfile") {
      auto p = model::BootProfile::FromJson(json);
      EXPECT_TRUE(p.ok());
      if (p.ok()) profiles.emplace(p->meta.Key(), *p);
    } else {
      value with_status = json;
      const std::string ns = doc["metadata"]["namespace"] ? doc["metadata"]["namespace"].Scalar() + "/" : "";
      if (auto b = booted.find(ns + doc["metadata"]["name"].Scalar()); b != booted.end()) {
        with_status["status"] = value::object();
        with_status["status"]["provisioned"] = model::ProvisionedToJson(b->second);
      }
      auto m = model::Machine::FromJson(with_status);
      EXPECT_TRUE(m.ok());
      if (m.ok()) machines.push_back(*m);
    }
  }
  std::map<std::string, v1alpha1::HostAssignment> out;
  for (const auto& m : machines) {
    auto p =
        profiles.find(m.meta.namespace_.empty() ? m.spec.boot_profile : m.meta.namespace_ + "/" + m.spec.boot_profile);
    controller::IpAllocator ips({});  // fixtures use static addresses: no pool to differ on
    auto d = controller::DecideMachine(m, p == profiles.end() ? nullptr : &p->second, ips, "2026-01-01T00:00:00Z", {},
                                       secrets[m.meta.namespace_]);
    EXPECT_TRUE(d.assignment.has_value()) << m.meta.Key() << " was not assigned";
    if (d.assignment) out[m.meta.Key()] = d.assignment->host;
  }
  return out;
}

// Standalone's door, resolver output: the manifests as bootd parses them.
std::map<std::string, v1alpha1::HostAssignment> ThroughStandalone(const Fixture& f, const Booted& booted = {}) {
  std::map<std::string, bootd::standalone::BootProfileManifest> profiles;
  std::vector<bootd::standalone::MachineManifest> machines;
  std::map<std::string, resolve::SecretData> secrets;
  for (const auto& doc : f.documents) {
    auto parsed = bootd::standalone::ParseManifest(doc, "fixture");
    if (parsed.profile) profiles.emplace(parsed.profile->namespace_ + "/" + parsed.profile->name, *parsed.profile);
    if (parsed.machine) machines.push_back(*parsed.machine);
    if (parsed.secret && parsed.secret->labelled) {
      secrets[parsed.secret->namespace_][parsed.secret->name] = parsed.secret->data;
    }
  }
  std::map<std::string, v1alpha1::HostAssignment> out;
  for (const auto& m : machines) {
    auto p = profiles.find(m.namespace_ + "/" + m.boot_profile);
    auto b = booted.find(m.Identity().Key());
    auto h = bootd::standalone::ResolveHostAssignment(m, p == profiles.end() ? nullptr : &p->second,
                                                      secrets[m.namespace_], b == booted.end() ? nullptr : &b->second);
    EXPECT_TRUE(h.ok()) << m.name;
    if (h.ok()) out[h->machine_name()] = *h;
  }
  return out;
}

TEST(TwoDoorsGoldenTest, ControllerAndStandaloneResolveEqualHostAssignments) {
  const Fixture f = LoadFixtures();
  const auto controller = ThroughController(f);
  const auto standalone = ThroughStandalone(f);
  ASSERT_EQ(controller.size(), 5u);
  ASSERT_EQ(standalone.size(), controller.size());
  for (const auto& [name, host] : controller) {
    auto other = standalone.find(name);
    ASSERT_NE(other, standalone.end()) << name;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(host, other->second))
        << name << "\ncontroller:\n"
        << host.DebugString() << "standalone:\n"
        << other->second.DebugString();
  }
  // Not hollow: the controller now forwards what it used to drop.
  const auto& full = controller.at("lab/node-full");
  EXPECT_EQ(full.generation(), 3u);
  EXPECT_TRUE(full.boot_once());
  EXPECT_EQ(full.uuid(), "4c4c4544-0042-3510-8052-b4c04f565931");
  EXPECT_EQ(full.architecture(), "x86_64");
  EXPECT_EQ(full.firmware(), "uefi");
  EXPECT_EQ(full.boot_file_overrides().at("x86_64-uefi"), "snponly.efi");
  EXPECT_EQ(full.parameters().at("role"), "worker");
  EXPECT_EQ(full.parameters().at("console"), "ttyS0,115200") << "profile default";
  EXPECT_EQ(full.parameters().at("disk"), "/dev/nvme0n1") << "the Machine overrides the default";
  EXPECT_EQ(full.boot().install_configs().size(), 6);
  ASSERT_EQ(full.boot().menu_size(), 4) << "every entry, with its action";
  EXPECT_EQ(full.boot().menu(1).cmdline_template(), "console={{params.console}} rescue/enable=true");
  EXPECT_EQ(full.boot().menu(1).action(), "boot");
  EXPECT_EQ(full.boot().menu(2).action(), "localboot");
  EXPECT_FALSE(full.boot().menu(2).has_kernel()) << "nothing to fetch";
  EXPECT_EQ(full.boot().menu(3).action(), "shell");
  EXPECT_EQ(full.boot().menu_timeout_seconds(), 5);
  ASSERT_EQ(full.interfaces_size(), 2);
  EXPECT_EQ(full.interfaces(0).mac(), "52:54:00:aa:00:01");
  EXPECT_FALSE(full.interfaces(0).primary());
  EXPECT_TRUE(full.interfaces(1).primary());
  EXPECT_EQ(full.interfaces(1).ipv4(), "10.77.0.32");
  EXPECT_EQ(controller.at("node-minimal").hostname(), "node-minimal");
  EXPECT_EQ(controller.at("node-minimal").firmware(), "auto");
  EXPECT_FALSE(controller.at("node-menu").allow_pxe());
  // Secrets: every install config from the Secret and marked so; the
  // password hash is a secret parameter, not a plain one.
  const auto& secret = controller.at("lab/node-secret");
  EXPECT_EQ(secret.boot().install_configs().size(), 6);
  EXPECT_EQ(secret.boot().secret_install_configs_size(), 6);
  EXPECT_EQ(secret.secret_parameters().at("passwordHash"), "$6$rounds=4096$c2FsdHNhbHQ$Zm9vYmFyYmF6");
  EXPECT_EQ(secret.parameters().count("passwordHash"), 0u);
  EXPECT_EQ(full.secret_parameters_size(), 0);
  EXPECT_EQ(full.boot().secret_install_configs_size(), 0);
  EXPECT_EQ(full.reprovision(), "2026-12-07-a");
  EXPECT_TRUE(full.allow_pxe()) << "bootOnce, never booted: netboots";
  // No bootProfileRef: a known machine in both doors, lease only.
  const auto& bare = controller.at("node-noprofile");
  EXPECT_FALSE(bare.allow_pxe());
  EXPECT_FALSE(bare.has_boot());
  EXPECT_EQ(bare.hostname(), "bmc-less.lab.example");
  EXPECT_EQ(bare.interfaces(0).ipv4(), "10.77.0.61");
}

// bootOnce through both doors: booted under the current re-provision value
// ends netbooting; booted under an older value (a re-provision request
// since) does not; a machine without bootOnce netboots whatever it did.
TEST(TwoDoorsGoldenTest, BootOnceDecidesAlikeInBothDoors) {
  const Fixture f = LoadFixtures();
  const Booted booted{{"lab/node-full", {"2026-12-07-a", 3, 1765100000000}}, {"node-minimal", {"", 0, 1765100000000}}};
  const Booted before_reprovision{{"lab/node-full", {"2026-12-01-old", 2, 1765000000000}}};
  for (const Booted* b : {&booted, &before_reprovision}) {
    const auto controller = ThroughController(f, *b);
    const auto standalone = ThroughStandalone(f, *b);
    ASSERT_EQ(controller.size(), standalone.size());
    for (const auto& [name, host] : controller) {
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(host, standalone.at(name)))
          << name << "\ncontroller:\n"
          << host.DebugString() << "standalone:\n"
          << standalone.at(name).DebugString();
    }
    EXPECT_EQ(controller.at("lab/node-full").allow_pxe(), b == &before_reprovision);
    EXPECT_TRUE(controller.at("node-minimal").allow_pxe()) << "no bootOnce: netboots on every power-on";
  }
}

TEST(TwoDoorsGoldenTest, RenderedScriptsAndInstallConfigsAreByteIdentical) {
  const auto controller = ThroughController(LoadFixtures());
  // The standalone door in full: the directory loader bootd runs.
  const auto load = bootd::standalone::LoadManifestDirectory(RACKBOOT_FIXTURES, kRack);
  for (const auto& p : load.problems) ADD_FAILURE() << p.message;
  ASSERT_EQ(load.assignments.size(), controller.size());
  int compared = 0;
  for (const auto& standalone : load.assignments) {
    auto host = controller.find(standalone.machine_name);
    ASSERT_NE(host, controller.end()) << standalone.machine_name;
    // What bootd makes of the controller's push.
    auto pushed = bootd::agent::AssignmentFromProto(host->second, kRack);
    ASSERT_TRUE(pushed.ok()) << pushed.error().message;
    bootd::render::ScriptRequest req;
    req.mac = standalone.interfaces.front().mac;
    req.public_url = "http://10.77.0.1:8080";
    req.rack = kRack;
    req.environment = {{"nfs-server", "10.77.0.11"}};
    req.config_token = "token-1";
    auto same = [&](const char* what, const Result<std::string>& a, const Result<std::string>& b) {
      ASSERT_EQ(a.ok(), b.ok()) << standalone.machine_name << " " << what;
      if (!a.ok()) return;
      EXPECT_EQ(*a, *b) << standalone.machine_name << " " << what;
      EXPECT_FALSE(a->empty());
      ++compared;
    };
    same("ipxe", bootd::render::RenderIpxeScript(*pushed, req), bootd::render::RenderIpxeScript(standalone, req));
    same("grub", bootd::render::RenderGrubConfig(*pushed, req), bootd::render::RenderGrubConfig(standalone, req));
    same("pxelinux", bootd::render::RenderPxelinuxConfig(*pushed, req),
         bootd::render::RenderPxelinuxConfig(standalone, req));
    EXPECT_EQ(pushed->boot.install_configs.size(), standalone.boot.install_configs.size());
    for (const auto& [name, text] : standalone.boot.install_configs) {
      same(name.c_str(), bootd::render::RenderInstallConfig(*pushed, req, name),
           bootd::render::RenderInstallConfig(standalone, req, name));
    }
    if (standalone.machine_name == "lab/node-secret") {
      // The secret parameter reaches the token-protected config, never the
      // unauthenticated script.
      const std::string hash = "$6$rounds=4096$c2FsdHNhbHQ$Zm9vYmFyYmF6";
      auto preseed = bootd::render::RenderInstallConfig(*pushed, req, "preseed");
      ASSERT_TRUE(preseed.ok()) << preseed.error().message;
      EXPECT_NE(preseed->find(hash), std::string::npos) << *preseed;
      auto ipxe = bootd::render::RenderIpxeScript(*pushed, req);
      ASSERT_TRUE(ipxe.ok());
      EXPECT_EQ(ipxe->find(hash), std::string::npos) << *ipxe;
    }
  }
  EXPECT_EQ(compared, 4 * 3 + 6 + 6) << "three scripts per machine and the six install configs of node-full and "
                                        "node-secret";
}

// Leaf paths of a CRD's spec schema ("spec.netboot.bootOnce",
// "spec.interfaces[].mac"), or of a fixture document's spec.
void SchemaLeaves(const YAML::Node& schema, const std::string& path, std::set<std::string>* out) {
  if (schema["properties"]) {
    for (const auto& kv : schema["properties"]) SchemaLeaves(kv.second, path + "." + kv.first.as<std::string>(), out);
  } else if (schema["type"] && schema["type"].Scalar() == "array" && schema["items"]) {
    SchemaLeaves(schema["items"], path + "[]", out);
  } else {
    out->insert(path);
  }
}

void DocumentLeaves(const YAML::Node& n, const std::string& path, bool map_is_leaf, std::set<std::string>* out) {
  if (n.IsMap() && !map_is_leaf) {
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      // parameters and bootFileOverrides are free-form maps: the map is the field.
      const bool free_form =
          path == "spec" && (key == "parameters" || key == "secretParameters" || key == "bootFileOverrides");
      DocumentLeaves(kv.second, path + "." + key, free_form, out);
    }
  } else if (n.IsSequence()) {
    for (const auto& item : n) DocumentLeaves(item, path + "[]", false, out);
  } else {
    out->insert(path);
  }
}

TEST(TwoDoorsGoldenTest, FixturesSetEveryFieldOfBothCrds) {
  std::map<std::string, std::set<std::string>> used;  // kind -> leaf paths
  for (const auto& doc : LoadFixtures().documents) {
    if (doc["kind"].Scalar() == "Secret") continue;  // core/v1, no spec; it only supplies values
    DocumentLeaves(doc["spec"], "spec", false, &used[doc["kind"].Scalar()]);
  }
  for (const char* file : {"machine.yaml", "bootprofile.yaml"}) {
    const YAML::Node crd = YAML::LoadFile(std::string(RACKBOOT_CRDS) + "/" + file);
    const std::string kind = crd["spec"]["names"]["kind"].Scalar();
    std::set<std::string> fields;
    SchemaLeaves(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"], "spec", &fields);
    ASSERT_GT(fields.size(), 10u) << file;
    for (const auto& field : fields) EXPECT_TRUE(used[kind].count(field)) << kind << " " << field << " in no fixture";
  }
}

}  // namespace
}  // namespace rackboot
