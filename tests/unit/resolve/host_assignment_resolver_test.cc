// The resolver's own rules; that both doors agree is two_doors_golden_test.cc.

#include "resolve/host_assignment_resolver.h"

#include <gtest/gtest.h>

namespace rackboot::resolve {
namespace {

MachineSpec OneNic() {
  MachineSpec s;
  s.rack = "r1";
  s.boot_profile = "p";
  s.interfaces.push_back({"52:54:00:00:00:01", "10.0.0.5", false, "eth0"});
  return s;
}

BootProfileSpec Profile() {
  BootProfileSpec p;
  p.kernel.path = "k/vmlinuz";
  p.kernel.sha256 = "ABCDEF";
  p.cmdline = "console=ttyS0";
  return p;
}

TEST(HostAssignmentResolverTest, TheRackAddressWinsOverTheStaticOneOnThePrimaryOnly) {
  MachineSpec s = OneNic();
  s.interfaces.push_back({"52:54:00:00:00:02", "10.0.0.6", false, ""});
  const BootProfileSpec p = Profile();
  auto h = ResolveHostAssignment({"m", "ns", 2, ""}, s, &p, RackSettings{"10.0.0.99"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->machine_name(), "ns/m");
  EXPECT_EQ(h->interfaces(0).ipv4(), "10.0.0.99");
  EXPECT_TRUE(h->interfaces(0).primary()) << "no interface marked primary: the first one";
  EXPECT_EQ(h->interfaces(1).ipv4(), "10.0.0.6");
  EXPECT_EQ(h->boot().kernel().url(), "k/vmlinuz");
  EXPECT_EQ(h->boot().kernel().sha256(), "abcdef");
}

TEST(HostAssignmentResolverTest, RequiredParameterMustBeSet) {
  BootProfileSpec p = Profile();
  p.parameters.push_back({"role", std::nullopt, true, ""});
  MachineSpec s = OneNic();
  auto missing = ResolveHostAssignment({"m", "", 1, ""}, s, &p);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("parameter 'role' is required by BootProfile p"), std::string::npos);
  s.parameters["role"] = "db";
  EXPECT_TRUE(ResolveHostAssignment({"m", "", 1, ""}, s, &p).ok());
}

TEST(HostAssignmentResolverTest, WithoutAProfileTheMachineIsKnownButGetsNoBootFile) {
  MachineSpec s = OneNic();
  s.parameters["x"] = "1";
  auto h = ResolveHostAssignment({"m", "", 1, ""}, s, nullptr);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->allow_pxe());
  EXPECT_FALSE(h->has_boot());
  EXPECT_EQ(h->parameters().at("x"), "1");
}

TEST(HostAssignmentResolverTest, RefusesAMacThatIsNotOne) {
  MachineSpec s = OneNic();
  s.interfaces[0].mac = "not-a-mac";
  const BootProfileSpec p = Profile();
  auto h = ResolveHostAssignment({"m", "", 1, ""}, s, &p);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().message.find("not-a-mac"), std::string::npos);
}

// Secrets (issue 13 step 6). The value used below must never appear in an
// error: errors end up in Machine conditions and Events.
constexpr const char* kHash = "$6$SECRET-VALUE-1";

SecretData Creds() {
  return {{"creds", {{"hash", kHash}, {"user-data", "#cloud-config\npw: {{params.pw}}\n"}}}};
}

TEST(HostAssignmentResolverTest, SecretParameterIsSentApartAndReplacesTheProfileDefault) {
  BootProfileSpec p = Profile();
  p.parameters.push_back({"pw", std::string("default"), false, ""});
  p.parameters.push_back({"pw2", std::nullopt, true, ""});
  MachineSpec s = OneNic();
  s.secret_parameters["pw"] = {"creds", "hash"};
  s.secret_parameters["pw2"] = {"creds", "hash"};
  auto h = ResolveHostAssignment({"m", "ns", 1, ""}, s, &p, {}, Creds());
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->secret_parameters().at("pw"), kHash);
  EXPECT_EQ(h->parameters().count("pw"), 0u) << "the profile default must not stay beside the secret";
  EXPECT_EQ(h->parameters().count("pw2"), 0u);
}

TEST(HostAssignmentResolverTest, SecretInstallConfigIsMarkedSecret) {
  BootProfileSpec p = Profile();
  p.install.cloud_init = CloudInitConfig{};
  p.install.cloud_init->user_data_secret = SecretKeyRef{"creds", "user-data"};
  p.install.cloud_init->meta_data = "instance-id: x\n";
  p.install.preseed = "d-i x\n";
  auto h = ResolveHostAssignment({"m", "ns", 1, ""}, OneNic(), &p, {}, Creds());
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->boot().install_configs().at("user-data"), "#cloud-config\npw: {{params.pw}}\n");
  ASSERT_EQ(h->boot().secret_install_configs_size(), 1);
  EXPECT_EQ(h->boot().secret_install_configs(0), "user-data");
  EXPECT_EQ(h->boot().install_configs().at("meta-data"), "instance-id: x\n") << "inline text stays possible";
  EXPECT_EQ(h->boot().install_configs().at("preseed"), "d-i x\n");
}

TEST(HostAssignmentResolverTest, MissingSecretOrKeyNamesFieldSecretAndKeyButNoValue) {
  BootProfileSpec p = Profile();
  p.install.kickstart_secret = SecretKeyRef{"creds", "ks.cfg"};
  auto no_key = ResolveHostAssignment({"m", "ns", 1, ""}, OneNic(), &p, {}, Creds());
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.error().message.find("spec.install.kickstartSecretRef: Secret 'creds' has no key 'ks.cfg'"),
            std::string::npos)
      << no_key.error().message;
  auto no_secret = ResolveHostAssignment({"m", "ns", 1, ""}, OneNic(), &p, {}, {});
  ASSERT_FALSE(no_secret.ok());
  EXPECT_NE(no_secret.error().message.find("Secret 'creds' not found"), std::string::npos);
  EXPECT_NE(no_secret.error().message.find("rackboot.io/secret=true"), std::string::npos);

  MachineSpec s = OneNic();
  s.secret_parameters["pw"] = {"creds", "nope"};
  const BootProfileSpec plain = Profile();
  auto param = ResolveHostAssignment({"m", "ns", 1, ""}, s, &plain, {}, Creds());
  ASSERT_FALSE(param.ok());
  EXPECT_NE(param.error().message.find("spec.secretParameters.pw: Secret 'creds' has no key 'nope'"),
            std::string::npos);
  for (const auto* r : {&no_key, &no_secret, &param}) EXPECT_EQ(r->error().message.find(kHash), std::string::npos);
}

TEST(HostAssignmentResolverTest, SecretParameterInAnUnauthenticatedScriptIsRefusedNamingTheField) {
  MachineSpec s = OneNic();
  s.secret_parameters["pw"] = {"creds", "hash"};
  struct Case {
    const char* field;
    void (*set)(BootProfileSpec*);
  };
  const Case cases[] = {
      {"spec.cmdline", [](BootProfileSpec* p) { p->cmdline = "console=ttyS0 pw={{params.pw}}"; }},
      {"spec.templates.ipxe", [](BootProfileSpec* p) { p->ipxe_template = "#!ipxe\necho {{ params.pw }}\n"; }},
      {"spec.templates.grub", [](BootProfileSpec* p) { p->grub_template = "{{#params.pw}}x{{/params.pw}}"; }},
      {"spec.templates.pxelinux", [](BootProfileSpec* p) { p->pxelinux_template = "APPEND {{params.pw}}"; }},
      {"spec.menu.entries[rescue].cmdline",
       [](BootProfileSpec* p) {
         p->menu.push_back({"rescue", "Rescue", "boot", std::string("x={{params.pw}}")});
       }},
  };
  for (const Case& c : cases) {
    BootProfileSpec p = Profile();
    c.set(&p);
    auto h = ResolveHostAssignment({"m", "ns", 1, ""}, s, &p, {}, Creds());
    ASSERT_FALSE(h.ok()) << c.field;
    EXPECT_NE(
        h.error().message.find(std::string("spec.secretParameters.pw: BootProfile p uses params.pw in ") + c.field),
        std::string::npos)
        << h.error().message;
    EXPECT_EQ(h.error().message.find(kHash), std::string::npos);
  }
  // A longer name that merely starts with the secret one is no use of it
  // (both set, so the strict template check has nothing to say either).
  BootProfileSpec p = Profile();
  p.cmdline = "x={{params.pw_hint}} {{params.opw}}";
  s.parameters["pw_hint"] = "hint";
  s.parameters["opw"] = "other";
  EXPECT_TRUE(ResolveHostAssignment({"m", "ns", 1, ""}, s, &p, {}, Creds()).ok());
}

TEST(HostAssignmentResolverTest, ReferencedSecretsListsMachineAndProfileReferences) {
  MachineSpec s = OneNic();
  s.secret_parameters["pw"] = {"a", "k"};
  BootProfileSpec p = Profile();
  p.install.cloud_init = CloudInitConfig{};
  p.install.cloud_init->network_config_secret = SecretKeyRef{"b", "k"};
  p.install.preseed_secret = SecretKeyRef{"c", "k"};
  EXPECT_EQ(ReferencedSecrets(s, &p), (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ReferencedSecrets(s, nullptr), (std::set<std::string>{"a"}));
}

}  // namespace
}  // namespace rackboot::resolve
