#include "controller/reconcile/machine_decision.h"

#include <gtest/gtest.h>

namespace rackboot::controller {
namespace {

using model::BootProfile;
using model::Machine;

Ipv4Address Ip(const char* s) {
  return *Ipv4Address::Parse(s);
}

IpAllocator Pools() {
  RackNetwork r;
  r.name = "rack-a";
  r.subnet = *Ipv4Prefix::Parse("10.0.0.0/24");
  r.pool_start = Ip("10.0.0.100");
  r.pool_end = Ip("10.0.0.101");
  return IpAllocator({r});
}

Machine MakeMachine(const std::string& name, const std::string& extra_iface = "", const std::string& status = "",
                    bool finalizer = true) {
  std::string json =
      R"({"metadata":{"name":")" + name + R"(","namespace":"lab","generation":2)" +
      (finalizer ? R"(,"finalizers":["rackboot.io/ip-release"])" : "") +
      R"(},"spec":{"rack":"rack-a","bootProfileRef":{"name":"ubuntu"},"interfaces":[{"mac":"52:54:00:00:00:01")" +
      extra_iface + "}]}" + (status.empty() ? "" : R"(,"status":)" + status) + "}";
  return *Machine::FromJson(web::json::value::parse(json));
}

BootProfile Profile() {
  return *BootProfile::FromJson(
      web::json::value::parse(R"({"metadata":{"name":"ubuntu","namespace":"lab","generation":5}})"));
}

const model::Condition& Cond(const MachineDecision& d, const char* type) {
  return *model::FindCondition(d.status.conditions, type);
}

TEST(MachineDecisionTest, NewMachineGetsFinalizerPoolAddressAndConditions) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m1", "", "", false), &p, ips, "T");
  EXPECT_TRUE(d.add_finalizer);
  ASSERT_TRUE(d.claim);
  EXPECT_EQ(*d.claim, Ip("10.0.0.100"));
  EXPECT_EQ(d.status.ipv4, "10.0.0.100");
  EXPECT_EQ(d.status.phase, "Assigned");
  EXPECT_EQ(d.status.observed_generation, 2);
  EXPECT_EQ(Cond(d, "ProfileResolved").status, "True");
  EXPECT_EQ(Cond(d, "Assigned").reason, "AllocatedFromPool");
  EXPECT_EQ(Cond(d, "Assigned").last_transition_time, "T");
  EXPECT_TRUE(d.status_changed);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].reason, "AllocatedFromPool");
  ASSERT_TRUE(d.assignment);
  EXPECT_EQ(d.assignment->host.hostname(), "m1");
  EXPECT_EQ(d.assignment->host.interfaces(0).ipv4(), "10.0.0.100") << "the pool address reaches bootd";
  EXPECT_EQ(d.assignment->host.generation(), 2u);
}

TEST(MachineDecisionTest, RequiredParameterUnsetLeavesTheMachinePendingWithAReason) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  p.spec.parameters.push_back({"role", std::nullopt, true, ""});
  auto d = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  EXPECT_FALSE(d.assignment);
  EXPECT_EQ(d.status.phase, "Pending");
  EXPECT_EQ(Cond(d, "ProfileResolved").status, "False");
  EXPECT_EQ(Cond(d, "ProfileResolved").reason, "Unresolvable");
  EXPECT_NE(Cond(d, "ProfileResolved").message.find("'role'"), std::string::npos);
}

TEST(MachineDecisionTest, SecondMachineGetsTheNextAddressThenPoolExhausts) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  ips.Claim(Ip("10.0.0.100"), "lab/m1");
  auto d2 = DecideMachine(MakeMachine("m2"), &p, ips, "T");
  EXPECT_EQ(d2.status.ipv4, "10.0.0.101");
  ips.Claim(*d2.claim, "lab/m2");
  auto d3 = DecideMachine(MakeMachine("m3"), &p, ips, "T");
  EXPECT_FALSE(d3.claim);
  EXPECT_EQ(Cond(d3, "Assigned").reason, "PoolExhausted");
  EXPECT_EQ(d3.status.phase, "Pending");
  EXPECT_EQ(d3.events[0].type, "Warning");
}

TEST(MachineDecisionTest, SteadyStateIsANoOp) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto first = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  ips.Claim(*first.claim, "lab/m1");
  Machine written = *Machine::FromJson(MakeMachine("m1").WithStatus(first.status));
  auto again = DecideMachine(written, &p, ips, "T-later");
  EXPECT_FALSE(again.status_changed) << "level-triggered and idempotent";
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(*again.claim, Ip("10.0.0.100")) << "keeps its address";
}

TEST(MachineDecisionTest, RecordedAddressSurvivesAnEmptyTable) {
  // After a restart the table is rebuilt from status; a Machine whose status
  // already holds an address keeps it even if it is reconciled first.
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m1", "", R"({"ipv4":"10.0.0.101"})"), &p, ips, "T");
  EXPECT_EQ(d.status.ipv4, "10.0.0.101");
}

TEST(MachineDecisionTest, MissingProfileIsAConditionNotAnError) {
  IpAllocator ips = Pools();
  auto d = DecideMachine(MakeMachine("m1"), nullptr, ips, "T");
  EXPECT_EQ(Cond(d, "ProfileResolved").status, "False");
  EXPECT_EQ(Cond(d, "ProfileResolved").reason, "ProfileNotFound");
  EXPECT_NE(Cond(d, "ProfileResolved").message.find("'ubuntu'"), std::string::npos);
  EXPECT_EQ(d.status.phase, "Pending");
  EXPECT_FALSE(d.assignment);
  EXPECT_TRUE(d.claim) << "the address is still reserved";
}

TEST(MachineDecisionTest, StaticAddressAndConflicts) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m1", R"(,"ipv4":"10.0.0.7")"), &p, ips, "T");
  EXPECT_EQ(Cond(d, "Assigned").reason, "StaticIP");
  EXPECT_EQ(*d.claim, Ip("10.0.0.7"));
  ips.Claim(Ip("10.0.0.7"), "lab/m1");
  auto clash = DecideMachine(MakeMachine("m2", R"(,"ipv4":"10.0.0.7")"), &p, ips, "T");
  EXPECT_FALSE(clash.claim);
  EXPECT_EQ(Cond(clash, "Assigned").reason, "IPConflict");
  EXPECT_NE(Cond(clash, "Assigned").message.find("lab/m1"), std::string::npos);
}

TEST(MachineDecisionTest, SwitchingFromPoolToStaticReleasesThePoolAddress) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  ips.Claim(Ip("10.0.0.100"), "lab/m1");
  auto d = DecideMachine(MakeMachine("m1", R"(,"ipv4":"10.0.0.7")", R"({"ipv4":"10.0.0.100"})"), &p, ips, "T");
  EXPECT_EQ(*d.claim, Ip("10.0.0.7"));
  ASSERT_TRUE(d.release);
  EXPECT_EQ(*d.release, Ip("10.0.0.100"));
}

TEST(MachineDecisionTest, DuplicateMacGetsNoAddress) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m2"), &p, ips, "T", {"lab/m1"});
  EXPECT_FALSE(d.claim);
  EXPECT_EQ(Cond(d, "Assigned").reason, "DuplicateMAC");
  EXPECT_NE(Cond(d, "Assigned").message.find("lab/m1"), std::string::npos);
  EXPECT_EQ(d.status.phase, "Pending");
}

TEST(MachineDecisionTest, UnknownRack) {
  IpAllocator ips({});
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  EXPECT_EQ(Cond(d, "Assigned").reason, "UnknownRack");
  EXPECT_NE(Cond(d, "Assigned").message.find("rack-a"), std::string::npos);
}

// A rack without a pool runs ProxyDHCP: the site's DHCP server gives the
// address, so the machine is published without one (bootd renders
// {{machine.ip}} from the address its request came from) and no pool
// address is invented.
TEST(MachineDecisionTest, RackWithoutPoolPublishesWithoutAnAddress) {
  RackNetwork proxy;
  proxy.name = "rack-a";
  proxy.has_pool = false;
  IpAllocator ips({proxy});
  EXPECT_FALSE(ips.NextFree(proxy));
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  EXPECT_FALSE(d.claim);
  EXPECT_TRUE(d.status.ipv4.empty());
  EXPECT_EQ(Cond(d, "Assigned").status, "True");
  EXPECT_EQ(Cond(d, "Assigned").reason, "SiteDhcp");
  EXPECT_EQ(d.status.phase, "Assigned");
  EXPECT_EQ(Cond(d, "Ready").status, "True");
  ASSERT_TRUE(d.assignment) << "published to the rack's bootd";
  EXPECT_EQ(d.assignment->host.interfaces(0).ipv4(), "") << "dynamic: the site's DHCP server decides";

  // An address it held from an earlier pool rack is given back.
  auto moved = DecideMachine(MakeMachine("m1", "", R"({"ipv4":"10.0.0.100"})"), &p, ips, "T");
  ASSERT_TRUE(moved.release);
  EXPECT_EQ(*moved.release, Ip("10.0.0.100"));
  EXPECT_TRUE(moved.status.ipv4.empty());
  // A static address still wins.
  auto pinned = DecideMachine(MakeMachine("m2", R"(,"ipv4":"192.0.2.7")"), &p, ips, "T");
  EXPECT_EQ(Cond(pinned, "Assigned").reason, "StaticIP");
  EXPECT_EQ(pinned.status.ipv4, "192.0.2.7");
}

TEST(MachineDecisionTest, DeletionReleasesThroughTheFinalizer) {
  IpAllocator ips = Pools();
  Machine m = MakeMachine("m1");
  m.meta.deletion_timestamp = "2026-11-23T12:00:00Z";
  auto d = DecideMachine(m, nullptr, ips, "T");
  EXPECT_TRUE(d.deleting);
  EXPECT_TRUE(d.remove_finalizer);
  EXPECT_FALSE(d.claim);
}

TEST(MachineDecisionTest, ProfileGenerationChangeIsVisibleInTheCondition) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto first = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  ips.Claim(*first.claim, "lab/m1");
  Machine written = *Machine::FromJson(MakeMachine("m1").WithStatus(first.status));
  p.meta.generation = 6;
  auto again = DecideMachine(written, &p, ips, "T2");
  EXPECT_TRUE(again.status_changed);
  EXPECT_NE(Cond(again, "ProfileResolved").message.find("generation 6"), std::string::npos);
  EXPECT_EQ(Cond(again, "ProfileResolved").last_transition_time, "T") << "status unchanged: time kept";
}

// Boot progress writes Booting/Provisioned/Failed; reconcile keeps them while
// the assignment is what bootd booted from, and resets to Assigned when a new
// boot is expected (another profile generation, a spec change).
MachineDecision DecideAfterBootPhase(const std::string& phase, BootProfile p, int64_t machine_generation) {
  IpAllocator ips = Pools();
  BootProfile original = Profile();
  auto first = DecideMachine(MakeMachine("m1"), &original, ips, "T");
  ips.Claim(*first.claim, "lab/m1");
  model::MachineStatus booted = first.status;
  booted.phase = phase;
  web::json::value raw = MakeMachine("m1").WithStatus(booted);
  raw["metadata"]["generation"] = web::json::value::number(machine_generation);
  return DecideMachine(*Machine::FromJson(raw), &p, ips, "T2");
}

TEST(MachineDecisionTest, BootPhasesSurviveReconcileWhileTheAssignmentIsUnchanged) {
  for (const std::string phase : {"Booting", "Provisioned", "Failed"}) {
    auto d = DecideAfterBootPhase(phase, Profile(), 2);
    EXPECT_EQ(d.status.phase, phase);
    // Failed: only Ready changes (False, BootError).
    EXPECT_EQ(d.status_changed, phase == "Failed") << phase;
  }
}

TEST(MachineDecisionTest, NewProfileGenerationOrSpecChangeResetsToAssigned) {
  BootProfile newer = Profile();
  newer.meta.generation = 6;
  EXPECT_EQ(DecideAfterBootPhase("Provisioned", newer, 2).status.phase, "Assigned");
  EXPECT_EQ(DecideAfterBootPhase("Provisioned", Profile(), 3).status.phase, "Assigned") << "spec edited";
  EXPECT_EQ(DecideAfterBootPhase("Booting", Profile(), 2).status.phase, "Booting");
}

TEST(MachineDecisionTest, DiscoveredMachineWithoutProfileStaysDiscovered) {
  IpAllocator ips = Pools();
  std::string json =
      R"({"metadata":{"name":"discovered-525400000009","namespace":"lab","generation":1,)"
      R"("finalizers":["rackboot.io/ip-release"]},"spec":{"rack":"rack-a","interfaces":[{"mac":"52:54:00:00:00:09"}]},)"
      R"("status":{"phase":"Discovered"}})";
  auto d = DecideMachine(*Machine::FromJson(web::json::value::parse(json)), nullptr, ips, "T");
  EXPECT_EQ(d.status.phase, "Discovered");
  EXPECT_FALSE(d.assignment);
  EXPECT_EQ(Cond(d, "NetbootEnabled").reason, "Discovered");
}

TEST(MachineDecisionTest, DiscoveryLabelKeepsANewMachineUnknownToBootdBeforeItsFirstStatus) {
  // Created by discovery a moment ago: no status yet, only the label.
  IpAllocator ips = Pools();
  std::string json = R"({"metadata":{"name":"discovered-52540000000a","namespace":"lab","generation":1,)"
                     R"("labels":{"rackboot.io/discovered":"true"},"finalizers":["rackboot.io/ip-release"]},)"
                     R"("spec":{"rack":"rack-a","interfaces":[{"mac":"52:54:00:00:00:0a"}]}})";
  auto d = DecideMachine(*Machine::FromJson(web::json::value::parse(json)), nullptr, ips, "T");
  EXPECT_EQ(d.status.phase, "Discovered");
  EXPECT_FALSE(d.assignment) << "its DHCP fingerprint keeps arriving as an unknown client's";
}

TEST(MachineDecisionTest, MachineWithoutProfileGetsItsLeaseButNoBootFileAsInStandalone) {
  IpAllocator ips = Pools();
  std::string json =
      R"({"metadata":{"name":"bare","namespace":"lab","generation":1,"finalizers":["rackboot.io/ip-release"]},)"
      R"("spec":{"rack":"rack-a","hostname":"bare.lab","interfaces":[{"mac":"52:54:00:00:00:0b"}]}})";
  auto d = DecideMachine(*Machine::FromJson(web::json::value::parse(json)), nullptr, ips, "T");
  ASSERT_TRUE(d.assignment);
  EXPECT_FALSE(d.assignment->host.allow_pxe());
  EXPECT_FALSE(d.assignment->host.has_boot());
  EXPECT_EQ(d.assignment->host.hostname(), "bare.lab");
  EXPECT_EQ(d.assignment->host.interfaces(0).ipv4(), "10.0.0.100") << "its reserved pool address reaches bootd";
  EXPECT_EQ(d.status.phase, "Assigned");
  EXPECT_EQ(Cond(d, "ProfileResolved").reason, "NoProfileReference");
  EXPECT_EQ(Cond(d, "NetbootEnabled").status, "False");
  EXPECT_EQ(Cond(d, "NetbootEnabled").reason, "NoBootProfile");
}

// bootOnce, level-triggered: status.provisioned (boot progress) + the
// re-provision annotation decide; reconcile keeps no memory of events.
web::json::value BootOnceMachine(const std::string& reprovision, const std::string& provisioned_under,
                                 const std::string& phase, const std::string& netboot_reason = "") {
  Machine m = MakeMachine("m1");
  web::json::value raw = m.raw;
  raw["spec"]["netboot"] = web::json::value::parse(R"({"allowPXE":true,"bootOnce":true})");
  if (!reprovision.empty()) {
    raw["metadata"]["annotations"] = web::json::value::object();
    raw["metadata"]["annotations"]["rackboot.io/reprovision"] = web::json::value::string(reprovision);
  }
  web::json::value status = web::json::value::object();
  status["ipv4"] = web::json::value::string("10.0.0.100");
  status["observedGeneration"] = web::json::value::number(2);
  status["phase"] = web::json::value::string(phase);
  if (provisioned_under != "-") {
    status["provisioned"] = model::ProvisionedToJson({provisioned_under, 2, 1765100000000});
  }
  // The conditions an earlier reconcile wrote (same profile and address).
  status["conditions"] = web::json::value::array();
  status["conditions"][0] =
      model::Condition{"ProfileResolved", "True", "Resolved", "BootProfile 'ubuntu' generation 5", 2, "T0"}.ToJson();
  status["conditions"][1] =
      model::Condition{"Assigned", "True", "AllocatedFromPool", "10.0.0.100 from the pool of rack rack-a", 2, "T0"}
          .ToJson();
  if (!netboot_reason.empty()) {
    model::Condition c{"NetbootEnabled", netboot_reason == "Allowed" ? "True" : "False", netboot_reason, "", 2, "T0"};
    status["conditions"][2] = c.ToJson();
  }
  raw["status"] = status;
  return raw;
}

TEST(MachineDecisionTest, BootOnceAfterBootedPushesNoBootFileAndSaysWhy) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(*Machine::FromJson(BootOnceMachine("", "", "Provisioned", "Allowed")), &p, ips, "T");
  ASSERT_TRUE(d.assignment);
  EXPECT_FALSE(d.assignment->host.allow_pxe());
  EXPECT_EQ(d.status.phase, "Provisioned");
  EXPECT_EQ(Cond(d, "NetbootEnabled").status, "False");
  EXPECT_EQ(Cond(d, "NetbootEnabled").reason, "BootOnceCompleted");
  ASSERT_FALSE(d.events.empty());
  EXPECT_EQ(d.events.back().reason, "NetbootDisabled");

  // Written back and reconciled again: nothing changes (idempotent).
  Machine written = *Machine::FromJson(Machine::FromJson(BootOnceMachine("", "", "Provisioned"))->WithStatus(d.status));
  auto again = DecideMachine(written, &p, ips, "T2");
  EXPECT_FALSE(again.status_changed);
  EXPECT_FALSE(again.assignment->host.allow_pxe());
  EXPECT_TRUE(again.events.empty());
}

TEST(MachineDecisionTest, BootOnceStaysProvisionedAcrossASpecEdit) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  web::json::value raw = BootOnceMachine("", "", "Provisioned", "BootOnceCompleted");
  raw["metadata"]["generation"] = web::json::value::number(3);
  auto d = DecideMachine(*Machine::FromJson(raw), &p, ips, "T");
  EXPECT_FALSE(d.assignment->host.allow_pxe()) << "a spec edit does not wipe the disks";
  EXPECT_EQ(d.status.phase, "Provisioned");
}

TEST(MachineDecisionTest, ANewReprovisionValueNetbootsAgainAndExpectsANewBoot) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(*Machine::FromJson(BootOnceMachine("again-1", "", "Provisioned", "BootOnceCompleted")), &p,
                         ips, "T");
  ASSERT_TRUE(d.assignment);
  EXPECT_TRUE(d.assignment->host.allow_pxe());
  EXPECT_EQ(d.assignment->host.reprovision(), "again-1");
  EXPECT_EQ(d.status.phase, "Assigned");
  EXPECT_EQ(Cond(d, "NetbootEnabled").reason, "Allowed");
  EXPECT_EQ(d.events.back().reason, "NetbootEnabled");
  // The reinstall under the new value is booting: the phase is boot progress's.
  auto booting = DecideMachine(*Machine::FromJson(BootOnceMachine("again-1", "", "Booting", "Allowed")), &p, ips, "T");
  EXPECT_EQ(booting.status.phase, "Booting");
  EXPECT_TRUE(booting.assignment->host.allow_pxe());
  // It booted under the new value: done again.
  auto done =
      DecideMachine(*Machine::FromJson(BootOnceMachine("again-1", "again-1", "Provisioned", "Allowed")), &p, ips, "T");
  EXPECT_FALSE(done.assignment->host.allow_pxe());
}

// Ready (controller/reconcile/machine_ready.h): the one condition for
// `kubectl wait`, True once the assignment is published and nothing known
// blocks the boot, False with the blocking condition's reason.
TEST(MachineDecisionTest, ReadyOncePublishedAndFalseWithTheReasonThatBlocks) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto d = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  EXPECT_EQ(Cond(d, "Ready").status, "True");
  EXPECT_EQ(Cond(d, "Ready").reason, "Published");
  EXPECT_EQ(Cond(d, "Ready").observed_generation, 2) << "kubectl wait compares it with metadata.generation";
  EXPECT_NE(Cond(d, "Ready").message.find("rack rack-a"), std::string::npos) << Cond(d, "Ready").message;
  EXPECT_NE(Cond(d, "Ready").message.find("10.0.0.100"), std::string::npos) << Cond(d, "Ready").message;

  auto no_profile = DecideMachine(MakeMachine("m1"), nullptr, ips, "T");
  EXPECT_EQ(Cond(no_profile, "Ready").status, "False");
  EXPECT_EQ(Cond(no_profile, "Ready").reason, "ProfileNotFound");
  EXPECT_NE(Cond(no_profile, "Ready").message.find("'ubuntu' does not exist"), std::string::npos);

  auto duplicate = DecideMachine(MakeMachine("m2"), &p, ips, "T", {"lab/m1"});
  EXPECT_EQ(Cond(duplicate, "Ready").reason, "DuplicateMAC") << "the address first: without one nothing is pushed";

  IpAllocator no_racks({});
  EXPECT_EQ(Cond(DecideMachine(MakeMachine("m1"), &p, no_racks, "T"), "Ready").reason, "UnknownRack");
}

TEST(MachineDecisionTest, ReadyForALeaseOnlyMachineAndFalseForAnUnadoptedDiscoveredOne) {
  IpAllocator ips = Pools();
  std::string bare =
      R"({"metadata":{"name":"bare","namespace":"lab","generation":1,"finalizers":["rackboot.io/ip-release"]},)"
      R"("spec":{"rack":"rack-a","interfaces":[{"mac":"52:54:00:00:00:0b"}]}})";
  auto d = DecideMachine(*Machine::FromJson(web::json::value::parse(bare)), nullptr, ips, "T");
  EXPECT_EQ(Cond(d, "Ready").status, "True") << "served as its spec asks: a lease, no boot file";
  EXPECT_NE(Cond(d, "Ready").message.find("lease only"), std::string::npos) << Cond(d, "Ready").message;

  std::string discovered =
      R"({"metadata":{"name":"discovered-525400000009","namespace":"lab","generation":1,)"
      R"("finalizers":["rackboot.io/ip-release"]},"spec":{"rack":"rack-a","interfaces":[{"mac":"52:54:00:00:00:09"}]},)"
      R"("status":{"phase":"Discovered"}})";
  auto dd = DecideMachine(*Machine::FromJson(web::json::value::parse(discovered)), nullptr, ips, "T");
  EXPECT_EQ(Cond(dd, "Ready").status, "False");
  EXPECT_EQ(Cond(dd, "Ready").reason, "Discovered");
}

TEST(MachineDecisionTest, ReadyTurnsFalseOnBootLoopAndBootErrorAndBackWhenTheyEnd) {
  IpAllocator ips = Pools();
  BootProfile p = Profile();
  auto first = DecideMachine(MakeMachine("m1"), &p, ips, "T");
  ips.Claim(*first.claim, "lab/m1");

  // Boot progress set BootLoop=True (phase Booting).
  model::MachineStatus looping = first.status;
  looping.phase = "Booting";
  model::SetCondition(&looping.conditions,
                      {"BootLoop", "True", "RepeatedRestarts", "the machine restarted its network boot 3 times", 0, ""},
                      "T1");
  auto d = DecideMachine(*Machine::FromJson(MakeMachine("m1").WithStatus(looping)), &p, ips, "T2");
  EXPECT_TRUE(d.status_changed);
  EXPECT_EQ(Cond(d, "Ready").status, "False");
  EXPECT_EQ(Cond(d, "Ready").reason, "BootLoop");
  EXPECT_NE(Cond(d, "Ready").message.find("3 times"), std::string::npos);
  EXPECT_EQ(Cond(d, "Ready").last_transition_time, "T2");

  // booted: BootLoop False, phase Provisioned.
  model::MachineStatus booted = d.status;
  booted.phase = "Provisioned";
  model::SetCondition(&booted.conditions, {"BootLoop", "False", "Booted", "", 0, ""}, "T3");
  auto ok = DecideMachine(*Machine::FromJson(MakeMachine("m1").WithStatus(booted)), &p, ips, "T4");
  EXPECT_EQ(Cond(ok, "Ready").status, "True");

  // bootd reported an error: phase Failed with status.lastError.
  model::MachineStatus failed = ok.status;
  failed.phase = "Failed";
  web::json::value raw = MakeMachine("m1").WithStatus(failed);
  raw["status"]["lastError"] = web::json::value::parse(R"({"stage":"kernel","message":"kernel abc unavailable: 404"})");
  auto f = DecideMachine(*Machine::FromJson(raw), &p, ips, "T5");
  EXPECT_EQ(f.status.phase, "Failed");
  EXPECT_EQ(Cond(f, "Ready").status, "False");
  EXPECT_EQ(Cond(f, "Ready").reason, "BootError");
  EXPECT_NE(Cond(f, "Ready").message.find("kernel abc unavailable: 404"), std::string::npos)
      << Cond(f, "Ready").message;
}

}  // namespace
}  // namespace rackboot::controller
