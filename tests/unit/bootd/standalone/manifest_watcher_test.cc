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

}  // namespace
}  // namespace rackboot::bootd::standalone
