#include "bootd/agent/boot_once_guard.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace rackboot::bootd::agent {
namespace {

Assignment Machine(const std::string& name, bool boot_once, const std::string& reprovision = "") {
  Assignment a;
  a.machine_name = name;
  a.allow_pxe = true;
  a.boot_once = boot_once;
  a.reprovision = reprovision;
  return a;
}

BootEvent Booted(const std::string& name, const std::string& reprovision = "") {
  BootEvent e;
  e.stage = BootStage::kBooted;
  e.machine_name = name;
  e.mac = *MacAddress::Parse("52:54:00:00:00:01");
  e.reprovision = reprovision;
  e.unix_millis = 1765130000000;
  return e;
}

v1alpha1::HostAssignment Pushed(const std::string& name, bool allow_pxe, bool boot_once,
                                const std::string& reprovision = "") {
  v1alpha1::HostAssignment a;
  a.set_machine_name(name);
  a.set_allow_pxe(allow_pxe);
  a.set_boot_once(boot_once);
  a.set_reprovision(reprovision);
  auto* i = a.add_interfaces();
  i->set_mac("52:54:00:00:00:02");
  auto* p = a.add_interfaces();
  p->set_mac("52:54:00:00:00:01");
  p->set_primary(true);
  return a;
}

class BootOnceGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rb-bootonce-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() const { return dir_ + "/provisioned-machines.yaml"; }
  std::string dir_;
};

TEST_F(BootOnceGuardTest, BootedBootOnceMachineLosesItsBootFileUntilANewReprovisionValue) {
  BootOnceGuard guard(Path());
  EXPECT_TRUE(guard.Applied(Machine("ns/a", true)).allow_pxe) << "nothing recorded yet";
  ASSERT_TRUE(*guard.Record(Booted("ns/a")));
  EXPECT_FALSE(guard.Applied(Machine("ns/a", true)).allow_pxe);
  EXPECT_TRUE(guard.Applied(Machine("ns/a", false)).allow_pxe) << "without bootOnce it always netboots";
  EXPECT_TRUE(guard.Applied(Machine("ns/a", true, "round-2")).allow_pxe) << "a new re-provision request";
  EXPECT_TRUE(guard.Applied(Machine("ns/b", true)).allow_pxe) << "another machine";
  EXPECT_FALSE(*guard.Record(Booted("ns/a"))) << "the same record again";
  // Other stages are not records.
  BootEvent script = Booted("ns/c");
  script.stage = BootStage::kScript;
  EXPECT_FALSE(*guard.Record(script));
  EXPECT_TRUE(guard.Applied(Machine("ns/c", true)).allow_pxe);
}

TEST_F(BootOnceGuardTest, RecordsSurviveANewGuardOnTheSameFile) {
  ASSERT_TRUE(*BootOnceGuard(Path()).Record(Booted("ns/a", "r1")));
  BootOnceGuard again(Path());
  std::vector<Assignment> pushed = {Machine("ns/a", true, "r1"), Machine("ns/b", true, "r1")};
  again.Apply(&pushed);
  EXPECT_FALSE(pushed[0].allow_pxe);
  EXPECT_TRUE(pushed[1].allow_pxe);
}

TEST_F(BootOnceGuardTest, UnacknowledgedAreTheRecordsTheControllerStillLetsNetboot) {
  BootOnceGuard guard(Path());
  ASSERT_TRUE(*guard.Record(Booted("ns/a")));
  ASSERT_TRUE(*guard.Record(Booted("ns/b")));
  ASSERT_TRUE(*guard.Record(Booted("ns/c", "old")));
  const std::vector<BootEvent> replay = guard.Unacknowledged({
      Pushed("ns/a", true, true),         // controller has not heard: replay
      Pushed("ns/b", false, true),        // controller knows (allow_pxe off)
      Pushed("ns/c", true, true, "new"),  // re-provision requested since
      Pushed("ns/d", true, true),         // never booted
  });
  ASSERT_EQ(replay.size(), 1u);
  EXPECT_EQ(replay[0].machine_name, "ns/a");
  EXPECT_EQ(replay[0].stage, BootStage::kBooted);
  EXPECT_EQ(replay[0].mac.ToString(), "52:54:00:00:00:01") << "the primary interface";
  EXPECT_EQ(replay[0].unix_millis, 1765130000000) << "when it really booted";
}

TEST_F(BootOnceGuardTest, DeletedMachinesAreForgotten) {
  BootOnceGuard guard(Path());
  ASSERT_TRUE(*guard.Record(Booted("ns/a")));
  ASSERT_TRUE(*guard.Record(Booted("ns/b")));
  EXPECT_TRUE(*guard.Forget({"ns/a"}));
  EXPECT_FALSE(*guard.Forget({"ns/a"}));
  EXPECT_TRUE(guard.Applied(Machine("ns/a", true)).allow_pxe);
  EXPECT_FALSE(*guard.KeepOnly({Machine("ns/b", true)}));
  EXPECT_TRUE(*guard.KeepOnly({Machine("ns/x", true)}));
  EXPECT_TRUE(guard.Applied(Machine("ns/b", true)).allow_pxe);
  EXPECT_TRUE(BootOnceGuard(Path()).Applied(Machine("ns/b", true)).allow_pxe) << "forgotten on disk too";
}

}  // namespace
}  // namespace rackboot::bootd::agent
