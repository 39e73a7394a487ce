#include "bootd/standalone/manifest_watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace rackboot::bootd::standalone {
namespace {

namespace fs = std::filesystem;

const char* kProfile =
    "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata: {name: p}\n"
    "spec: {kernel: {path: vmlinuz}, cmdline: quiet}\n";

std::string Machine(const std::string& mac, const std::string& profile = "p") {
  return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata: {name: vm}\nspec:\n  rack: r\n"
         "  interfaces: [{mac: \"" +
         mac + "\"}]\n  bootProfileRef: {name: " + profile + "}\n";
}

// Polls (the reload happens on the watcher's thread) until `done` or ~10 s.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

class ManifestWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rackboot-watch-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Writes via a temporary file and rename, as editors and config tools do.
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / (".tmp-" + name)) << text;
    fs::rename(dir_ / (".tmp-" + name), dir_ / name);
  }
  fs::path dir_;
};

TEST_F(ManifestWatcherTest, LoadsAtStartAndReloadsOnChange) {
  Write("p.yaml", kProfile);
  Write("m.yaml", Machine("52:54:00:00:00:01"));
  AssignmentStore store;
  ManifestWatcher watcher(dir_.string(), "r", store);
  ASSERT_TRUE(watcher.Start().ok());
  const MacAddress first = *MacAddress::Parse("52:54:00:00:00:01");
  const MacAddress second = *MacAddress::Parse("52:54:00:00:00:02");
  ASSERT_TRUE(store.FindByMac(first));
  AssignmentStore::Ptr held = store.FindByMac(first);  // a request in flight

  Write("m.yaml", Machine("52:54:00:00:00:02"));
  ASSERT_TRUE(Eventually([&] { return store.FindByMac(second) != nullptr; }));
  EXPECT_EQ(store.FindByMac(first), nullptr);
  EXPECT_EQ(held->interfaces[0].mac, first);  // the old snapshot is still intact

  // A broken edit: the machine is dropped and the problem reported; fixing
  // the file brings it back without a restart.
  uint64_t loads = watcher.loads();
  Write("m.yaml", Machine("52:54:00:00:00:02", "missing"));
  ASSERT_TRUE(Eventually([&] { return watcher.loads() > loads && store.FindByMac(second) == nullptr; }));
  ASSERT_EQ(watcher.last_load().problems.size(), 1u);
  EXPECT_EQ(watcher.last_load().problems[0].field, "spec.bootProfileRef.name");

  Write("m.yaml", Machine("52:54:00:00:00:02"));
  ASSERT_TRUE(Eventually([&] { return store.FindByMac(second) != nullptr; }));
  EXPECT_TRUE(watcher.last_load().problems.empty()) << watcher.last_load().problems[0].message;

  fs::remove(dir_ / "m.yaml");
  ASSERT_TRUE(Eventually([&] { return store.size() == 0; }));
  watcher.Stop();
}

TEST_F(ManifestWatcherTest, StartFailsWhenDirectoryIsMissing) {
  AssignmentStore store;
  ManifestWatcher watcher((dir_ / "absent").string(), "", store);
  EXPECT_FALSE(watcher.Start().ok());
}

// bootOnce standalone: the booted callback (a boot event from bootd's
// recorder) is recorded in the state file and acted on before it returns;
// a restarted watcher reads it back; a new rackboot.io/reprovision value in
// the manifest netboots the machine once more.
TEST_F(ManifestWatcherTest, BootedBootOnceMachineStopsNetbootingAcrossRestartsUntilReprovisioned) {
  const fs::path state = dir_ / "state";
  fs::create_directories(state);
  const fs::path manifests = dir_ / "manifests";
  fs::create_directories(manifests);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(manifests / (".tmp-" + name)) << text;
    fs::rename(manifests / (".tmp-" + name), manifests / name);
  };
  auto machine = [](const std::string& reprovision) {
    return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: vm\n" +
           (reprovision.empty() ? "" : "  annotations: {rackboot.io/reprovision: \"" + reprovision + "\"}\n") +
           "spec:\n  rack: r\n  interfaces: [{mac: \"52:54:00:00:00:01\"}]\n  bootProfileRef: {name: p}\n"
           "  netboot: {bootOnce: true}\n";
  };
  write("p.yaml", kProfile);
  write("m.yaml", machine(""));
  const MacAddress mac = *MacAddress::Parse("52:54:00:00:00:01");
  const std::string records = (state / "provisioned-machines.yaml").string();
  auto booted = [&](const std::string& reprovision) {
    BootEvent e;
    e.mac = mac;
    e.machine_name = "vm";
    e.stage = BootStage::kBooted;
    e.unix_millis = 1765100000000;
    e.reprovision = reprovision;
    return e;
  };
  {
    AssignmentStore store;
    ManifestWatcher watcher(manifests.string(), "r", store, "", records);
    ASSERT_TRUE(watcher.Start().ok());
    ASSERT_TRUE(store.FindByMac(mac)->allow_pxe) << "never booted: netboots";
    BootEvent script = booted("");
    script.stage = BootStage::kScript;
    watcher.OnBootEvent(script);
    EXPECT_TRUE(store.FindByMac(mac)->allow_pxe) << "only the booted callback counts";
    watcher.OnBootEvent(booted(""));
    EXPECT_FALSE(store.FindByMac(mac)->allow_pxe) << "acted on before the callback returns";
    EXPECT_TRUE(fs::exists(records));
    watcher.Stop();
  }
  // bootd restarted: the record is read back.
  AssignmentStore store;
  ManifestWatcher watcher(manifests.string(), "r", store, "", records);
  ASSERT_TRUE(watcher.Start().ok());
  ASSERT_TRUE(store.FindByMac(mac));
  EXPECT_FALSE(store.FindByMac(mac)->allow_pxe);
  // The re-provision action: a new annotation value in the manifest.
  write("m.yaml", machine("2026-12-07"));
  ASSERT_TRUE(Eventually([&] {
    auto a = store.FindByMac(mac);
    return a && a->allow_pxe && a->reprovision == "2026-12-07";
  }));
  watcher.OnBootEvent(booted("2026-12-07"));
  EXPECT_FALSE(store.FindByMac(mac)->allow_pxe);
  watcher.Stop();
}

TEST_F(ManifestWatcherTest, BootedWithoutBootOnceIsRecordedWithoutAReload) {
  Write("p.yaml", kProfile);
  Write("m.yaml", Machine("52:54:00:00:00:01"));
  const fs::path records = dir_.parent_path() / (dir_.filename().string() + "-records.yaml");
  AssignmentStore store;
  ManifestWatcher watcher(dir_.string(), "r", store, "", records.string());
  ASSERT_TRUE(watcher.Start().ok());
  const uint64_t loads = watcher.loads();
  BootEvent e;
  e.mac = *MacAddress::Parse("52:54:00:00:00:01");
  e.machine_name = "vm";
  e.stage = BootStage::kBooted;
  e.unix_millis = 1765100000000;
  watcher.OnBootEvent(e);
  std::ifstream in(records);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(records);
  EXPECT_NE(text.find("vm:"), std::string::npos) << text;
  EXPECT_EQ(watcher.loads(), loads) << "nothing it serves changed";
  EXPECT_TRUE(store.FindByMac(e.mac)->allow_pxe);
  watcher.Stop();
}

TEST_F(ManifestWatcherTest, MalformedRecordsFileStopsTheStartNamingFileLineAndField) {
  Write("p.yaml", kProfile);
  const fs::path records = dir_.parent_path() / (dir_.filename().string() + "-provisioned.yaml");
  std::ofstream(records) << "machines:\n  vm: {reprovision: \"\", generation: lots}\n";
  AssignmentStore store;
  ManifestWatcher watcher(dir_.string(), "r", store, "", records.string());
  Status s = watcher.Start();
  fs::remove(records);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(records.string() + ":2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("machines.vm.generation"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rackboot::bootd::standalone
