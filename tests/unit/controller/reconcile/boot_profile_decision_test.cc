#include "controller/reconcile/boot_profile_decision.h"

#include <gtest/gtest.h>

namespace rackboot::controller {
namespace {

using model::BootProfile;
using model::Machine;

BootProfile Profile(const std::string& spec, const std::string& status = "") {
  return *BootProfile::FromJson(
      web::json::value::parse(R"({"metadata":{"name":"deb","namespace":"lab","generation":4},"spec":)" + spec +
                              (status.empty() ? "" : R"(,"status":)" + status) + "}"));
}

Machine User(const std::string& name, const std::string& params = "{}") {
  return *Machine::FromJson(web::json::value::parse(
      R"({"metadata":{"name":")" + name +
      R"(","namespace":"lab","generation":1},"spec":{"rack":"r","bootProfileRef":{"name":"deb"},"interfaces":[{"mac":"52:54:00:00:00:01"}],"parameters":)" +
      params + "}}"));
}

const model::Condition& Cond(const BootProfileDecision& d, const char* type) {
  const model::Condition* c = model::FindCondition(d.status.conditions, type);
  EXPECT_NE(c, nullptr) << type;
  static const model::Condition kMissing;
  return c ? *c : kMissing;
}

constexpr const char* kGoodSpec =
    R"({"kernel":{"path":"vmlinuz"},"cmdline":"console={{params.console}} host={{machine.hostname}}",)"
    R"("parameters":[{"name":"console","default":"ttyS0"},{"name":"role","required":true}]})";

TEST(BootProfileDecisionTest, CountsAndNamesItsMachinesAndIsReady) {
  std::vector<Machine> users{User("m2", R"({"role":"a"})"), User("m1", R"({"role":"b"})")};
  auto d = DecideBootProfile(Profile(kGoodSpec), users, "T");
  EXPECT_TRUE(d.status_changed);
  EXPECT_EQ(d.status.observed_generation, 4);
  EXPECT_EQ(d.status.machines, 2);
  EXPECT_EQ(d.status.machine_names, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(Cond(d, kConditionTemplatesValid).status, "True");
  EXPECT_EQ(Cond(d, kConditionArtifactsValid).status, "True");
  EXPECT_EQ(Cond(d, kConditionParametersSatisfied).status, "True");
  EXPECT_EQ(Cond(d, kConditionReady).status, "True");
  EXPECT_EQ(Cond(d, kConditionReady).last_transition_time, "T");
  // Level-triggered: the same inputs against the written status change nothing.
  BootProfile written = Profile(kGoodSpec);
  written.status = d.status;
  auto again = DecideBootProfile(written, users, "T2");
  EXPECT_FALSE(again.status_changed);
  EXPECT_EQ(Cond(again, kConditionReady).last_transition_time, "T");
}

TEST(BootProfileDecisionTest, UnknownVariableNamesTheVariableAndTheField) {
  auto d = DecideBootProfile(Profile(R"({"kernel":{"path":"vmlinuz"},"cmdline":"hostname={{hostname}}"})"), {}, "T");
  const auto& c = Cond(d, kConditionTemplatesValid);
  EXPECT_EQ(c.status, "False");
  EXPECT_EQ(c.reason, "UnknownVariable");
  EXPECT_EQ(c.message,
            "BootProfile deb: spec.cmdline uses unknown variable {{hostname}} (did you mean {{machine.hostname}}?)");
  EXPECT_EQ(Cond(d, kConditionReady).status, "False");
  EXPECT_EQ(Cond(d, kConditionReady).reason, "UnknownVariable");
}

TEST(BootProfileDecisionTest, RequiredParameterMissingOnAMachine) {
  std::vector<Machine> users{User("ok", R"({"role":"a"})"), User("bad")};
  auto d = DecideBootProfile(Profile(kGoodSpec), users, "T");
  const auto& c = Cond(d, kConditionParametersSatisfied);
  EXPECT_EQ(c.status, "False");
  EXPECT_EQ(c.reason, "RequiredParameterMissing");
  EXPECT_EQ(c.message, "Machine lab/bad does not set required parameter 'role'");
}

// A required parameter may come from a Secret (spec.secretParameters): the
// Machine satisfies it when the Secret is there, and is named when not.
TEST(BootProfileDecisionTest, RequiredParameterFromASecret) {
  Machine m = *Machine::FromJson(web::json::value::parse(
      R"({"metadata":{"name":"m","namespace":"lab","generation":1},"spec":{"rack":"r","bootProfileRef":{"name":"deb"},)"
      R"("interfaces":[{"mac":"52:54:00:00:00:01"}],"secretParameters":{"role":{"name":"creds","key":"role"}}}})"));
  const SecretsOfMachine with_secret = [](const Machine&) {
    return resolve::SecretData{{"creds", {{"role", "worker"}}}};
  };
  auto d = DecideBootProfile(Profile(kGoodSpec), {m}, "T", with_secret);
  EXPECT_EQ(Cond(d, kConditionParametersSatisfied).status, "True") << Cond(d, kConditionParametersSatisfied).message;
  auto missing = DecideBootProfile(Profile(kGoodSpec), {m}, "T", [](const Machine&) { return resolve::SecretData{}; });
  EXPECT_EQ(Cond(missing, kConditionParametersSatisfied).status, "False");
  EXPECT_EQ(Cond(missing, kConditionParametersSatisfied).reason, "MachineUnresolvable");
  EXPECT_NE(Cond(missing, kConditionParametersSatisfied).message.find("creds"), std::string::npos)
      << Cond(missing, kConditionParametersSatisfied).message;
}

TEST(BootProfileDecisionTest, ParameterATemplateUsesButAMachineDoesNotSet) {
  auto d =
      DecideBootProfile(Profile(R"({"kernel":{"path":"vmlinuz"},"cmdline":"disk={{params.disk}}"})"), {User("m")}, "T");
  EXPECT_EQ(Cond(d, kConditionTemplatesValid).status, "True") << "a Machine may set it";
  const auto& c = Cond(d, kConditionParametersSatisfied);
  EXPECT_EQ(c.reason, "MachineUnresolvable");
  EXPECT_NE(c.message.find("Machine lab/m: BootProfile deb: spec.cmdline uses unknown variable {{params.disk}}"),
            std::string::npos)
      << c.message;
}

TEST(BootProfileDecisionTest, HttpsArtifactWithoutSha256) {
  auto d = DecideBootProfile(Profile(R"({"kernel":{"url":"https://mirror.example/vmlinuz"},)"
                                     R"("initrds":[{"url":"https://mirror.example/initrd","sha256":"ab"}]})"),
                             {}, "T");
  const auto& c = Cond(d, kConditionArtifactsValid);
  EXPECT_EQ(c.status, "False");
  EXPECT_EQ(c.reason, "HttpsWithoutSha256");
  EXPECT_EQ(c.message.find("spec.kernel.url is https without a sha256"), 0u) << c.message;
  EXPECT_EQ(c.message.find("initrds"), std::string::npos);
}

TEST(BootProfileDecisionTest, MachineNamesAreBounded) {
  std::vector<Machine> users;
  for (int i = 0; i < 30; ++i) users.push_back(User("m" + std::to_string(100 + i), R"({"role":"a"})"));
  auto d = DecideBootProfile(Profile(kGoodSpec), users, "T");
  EXPECT_EQ(d.status.machines, 30);
  ASSERT_EQ(d.status.machine_names.size(), kMaxListedMachines);
  EXPECT_EQ(d.status.machine_names.front(), "m100");
}

}  // namespace
}  // namespace rackboot::controller
