#include <gtest/gtest.h>

#include "controller/model/boot_profile.h"
#include "controller/model/event.h"
#include "controller/model/lease.h"
#include "controller/model/machine.h"

namespace rackboot::model {
namespace {

const char* kMachine = R"({
  "apiVersion": "rackboot.io/v1alpha1", "kind": "Machine",
  "metadata": {"name": "node-1", "namespace": "lab", "uid": "u-1", "resourceVersion": "42", "generation": 3,
               "finalizers": ["rackboot.io/ip-release"]},
  "spec": {"rack": "rack-a",
           "interfaces": [{"mac": "52:54:00:00:00:01"}, {"mac": "52-54-00-00-00-02", "ipv4": "10.0.0.9", "primary": true}],
           "uuid": "4c4c4544-0000-1000-8000-000000000001", "hostname": "node-1.lab", "architecture": "x86_64",
           "firmware": "uefi", "bootProfileRef": {"name": "ubuntu"},
           "netboot": {"allowPXE": false, "bootOnce": false},
           "parameters": {"disk": "/dev/sda"}, "bootFileOverrides": {"x86_64-uefi": "snponly.efi"}},
  "status": {"observedGeneration": 2, "phase": "Booting", "ipv4": "10.0.0.9", "bootStage": "kernel",
             "conditions": [{"type": "Assigned", "status": "True", "reason": "StaticIP", "message": "m",
                             "observedGeneration": 2, "lastTransitionTime": "2026-11-23T12:00:00Z"}]}
})";

TEST(MachineModelTest, ReadsEverySpecAndStatusField) {
  auto m = Machine::FromJson(web::json::value::parse(kMachine));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->meta.Key(), "lab/node-1");
  EXPECT_EQ(m->meta.generation, 3);
  EXPECT_TRUE(m->meta.HasFinalizer("rackboot.io/ip-release"));
  EXPECT_EQ(m->spec.rack, "rack-a");
  ASSERT_EQ(m->spec.interfaces.size(), 2u);
  EXPECT_EQ(m->spec.Primary()->mac, "52-54-00-00-00-02");
  EXPECT_EQ(m->spec.Primary()->ipv4, "10.0.0.9");
  EXPECT_EQ(m->spec.uuid, "4c4c4544-0000-1000-8000-000000000001");
  EXPECT_EQ(m->spec.hostname, "node-1.lab");
  EXPECT_EQ(m->spec.architecture, "x86_64");
  EXPECT_EQ(m->spec.firmware, "uefi");
  EXPECT_EQ(m->spec.boot_profile, "ubuntu");
  EXPECT_FALSE(m->spec.allow_pxe);
  EXPECT_EQ(m->spec.parameters.at("disk"), "/dev/sda");
  EXPECT_EQ(m->spec.boot_file_overrides.at("x86_64-uefi"), "snponly.efi");
  EXPECT_EQ(m->status.observed_generation, 2);
  EXPECT_EQ(m->status.phase, "Booting");
  ASSERT_EQ(m->status.conditions.size(), 1u);
  EXPECT_EQ(m->status.conditions[0].reason, "StaticIP");
}

TEST(MachineModelTest, DefaultsAndPrimaryFallback) {
  auto m = Machine::FromJson(web::json::value::parse(
      R"({"metadata":{"name":"x"},"spec":{"rack":"r","interfaces":[{"mac":"aa:bb:cc:dd:ee:ff"}]}})"));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->spec.allow_pxe);
  EXPECT_EQ(m->spec.Primary()->mac, "aa:bb:cc:dd:ee:ff");
  EXPECT_EQ(m->meta.Key(), "x");
}

TEST(MachineModelTest, RejectsObjectsWithoutName) {
  EXPECT_FALSE(Machine::FromJson(web::json::value::parse(R"({"spec":{}})")).ok());
  EXPECT_FALSE(Machine::FromJson(web::json::value::parse(R"([1])")).ok());
}

TEST(MachineModelTest, MistypedFieldsDoNotCrash) {
  auto m = Machine::FromJson(web::json::value::parse(
      R"({"metadata":{"name":"x","generation":"7"},"spec":{"rack":5,"interfaces":"no","netboot":[]},"status":7})"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->meta.generation, 0);
  EXPECT_TRUE(m->spec.rack.empty());
  EXPECT_TRUE(m->spec.interfaces.empty());
}

TEST(MachineModelTest, WithStatusReplacesOurFieldsAndKeepsOthers) {
  auto m = Machine::FromJson(web::json::value::parse(kMachine));
  ASSERT_TRUE(m.ok());
  MachineStatus s;
  s.observed_generation = 3;
  s.phase = "Assigned";
  s.ipv4 = "10.0.0.9";
  s.conditions.push_back({"Assigned", "True", "StaticIP", "static", 3, "2026-11-23T12:00:00Z"});
  auto out = m->WithStatus(s);
  EXPECT_EQ(out.at("status").at("bootStage").as_string(), "kernel") << "bootd's fields survive";
  EXPECT_EQ(out.at("status").at("observedGeneration").as_integer(), 3);
  EXPECT_EQ(out.at("metadata").at("resourceVersion").as_string(), "42") << "for optimistic concurrency";
  auto back = Machine::FromJson(out);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->status == s);
  s.ipv4.clear();
  EXPECT_FALSE(m->WithStatus(s).at("status").has_field("ipv4"));
}

TEST(ConditionTest, TransitionTimeChangesOnlyWithStatus) {
  std::vector<Condition> cs;
  EXPECT_TRUE(SetCondition(&cs, {"Assigned", "False", "PoolExhausted", "m", 1, ""}, "T1"));
  EXPECT_EQ(cs[0].last_transition_time, "T1");
  EXPECT_FALSE(SetCondition(&cs, {"Assigned", "False", "PoolExhausted", "m", 1, ""}, "T2"));
  EXPECT_TRUE(SetCondition(&cs, {"Assigned", "False", "UnknownRack", "m2", 2, ""}, "T3"));
  EXPECT_EQ(cs[0].last_transition_time, "T1") << "same status keeps the time";
  EXPECT_TRUE(SetCondition(&cs, {"Assigned", "True", "StaticIP", "m", 2, ""}, "T4"));
  EXPECT_EQ(cs[0].last_transition_time, "T4");
  EXPECT_EQ(cs.size(), 1u);
}

TEST(BootProfileModelTest, ReadsKernelAndCmdline) {
  auto p = BootProfile::FromJson(web::json::value::parse(
      R"({"metadata":{"name":"ubuntu","namespace":"lab","generation":2},"spec":{"kernel":{"url":"http://x/vmlinuz"},"cmdline":"console=ttyS0"}})"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->meta.generation, 2);
  EXPECT_EQ(p->spec.kernel.url, "http://x/vmlinuz");
  EXPECT_EQ(p->spec.cmdline, "console=ttyS0");
}

TEST(LeaseModelTest, RoundTrip) {
  Lease l;
  l.meta.name = "rackboot-controller";
  l.meta.namespace_ = "rackboot-system";
  l.meta.resource_version = "7";
  l.holder_identity = "pod-a_1234";
  l.lease_duration_seconds = 15;
  l.acquire_time = FormatMicroTime(1795435200123456);
  l.renew_time = l.acquire_time;
  l.lease_transitions = 4;
  auto back = Lease::FromJson(l.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->holder_identity, "pod-a_1234");
  EXPECT_EQ(back->lease_transitions, 4);
  EXPECT_EQ(back->meta.resource_version, "7");
  EXPECT_EQ(ParseTimeMicros(back->renew_time), 1795435200123456);
}

// The chart owns the Lease (helm deletes it on uninstall): a replace by the
// leader keeps Helm's labels and annotations.
TEST(LeaseModelTest, ReplaceKeepsLabelsAndAnnotations) {
  auto read = Lease::FromJson(web::json::value::parse(
      R"({"metadata":{"name":"rackboot-controller","namespace":"rb","resourceVersion":"9",)"
      R"("labels":{"app.kubernetes.io/managed-by":"Helm"},"annotations":{"meta.helm.sh/release-name":"rb"}},)"
      R"("spec":{}})"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->holder_identity, "");
  read->holder_identity = "pod-a_1";
  const Json out = read->ToJson();
  EXPECT_EQ(out.at("metadata").at("labels").at("app.kubernetes.io/managed-by").as_string(), "Helm");
  EXPECT_EQ(out.at("metadata").at("annotations").at("meta.helm.sh/release-name").as_string(), "rb");
  EXPECT_EQ(out.at("spec").at("holderIdentity").as_string(), "pod-a_1");
  // A Lease without them gets none.
  Lease bare;
  bare.meta.name = "x";
  EXPECT_FALSE(bare.ToJson().at("metadata").has_field("labels"));
  EXPECT_FALSE(bare.ToJson().at("metadata").has_field("annotations"));
}

TEST(TimeTest, FormatsAndParsesRfc3339) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatMicroTime(1000001), "1970-01-01T00:00:01.000001Z");
  EXPECT_EQ(ParseTimeMicros("1970-01-01T00:00:01Z"), 1000000);
  EXPECT_EQ(ParseTimeMicros("1970-01-01T00:00:01.5Z"), 1500000);
  EXPECT_EQ(ParseTimeMicros("garbage"), 0);
}

TEST(EventModelTest, NamesTheInvolvedMachine) {
  EventRecord e;
  e.api_version = "rackboot.io/v1alpha1";
  e.kind = "Machine";
  e.object.name = "node-1";
  e.object.namespace_ = "lab";
  e.object.uid = "u-1";
  e.type = "Warning";
  e.reason = "ProfileNotFound";
  e.message = "BootProfile 'x' does not exist";
  auto j = e.ToJson("abc", 1000000);
  EXPECT_EQ(j.at("metadata").at("name").as_string(), "node-1.abc");
  EXPECT_EQ(j.at("metadata").at("namespace").as_string(), "lab");
  EXPECT_EQ(j.at("involvedObject").at("uid").as_string(), "u-1");
  EXPECT_EQ(j.at("reason").as_string(), "ProfileNotFound");
  EXPECT_EQ(j.at("type").as_string(), "Warning");
}

}  // namespace
}  // namespace rackboot::model
