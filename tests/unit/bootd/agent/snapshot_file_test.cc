#include "bootd/agent/snapshot_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rackboot::bootd::agent {
namespace {

v1alpha1::PersistedSnapshot Sample() {
  v1alpha1::PersistedSnapshot s;
  s.set_rack("rack-a");
  s.set_version(1234);
  s.set_leader_epoch(2);
  auto* a = s.add_assignments();
  a->set_machine_name("ns/m1");
  a->add_interfaces()->set_mac("52:54:00:00:00:01");
  return s;
}

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rb-snapshot-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/assignments.snap";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
  std::string path_;
};

TEST_F(SnapshotFileTest, RoundTrip) {
  ASSERT_TRUE(WriteSnapshotFile(path_, Sample()).ok());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  auto back = ReadSnapshotFile(path_);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->version(), 1234u);
  EXPECT_EQ(back->assignments(0).machine_name(), "ns/m1");
}

TEST_F(SnapshotFileTest, OverwriteReplacesAtomically) {
  ASSERT_TRUE(WriteSnapshotFile(path_, Sample()).ok());
  auto s = Sample();
  s.set_version(1235);
  ASSERT_TRUE(WriteSnapshotFile(path_, s).ok());
  EXPECT_EQ(ReadSnapshotFile(path_)->version(), 1235u);
}

TEST_F(SnapshotFileTest, CorruptionDetected) {
  std::string bytes = EncodeSnapshot(Sample());
  EXPECT_TRUE(DecodeSnapshot(bytes).ok());
  std::string flipped = bytes;
  flipped[flipped.size() - 3] ^= 0x01;
  EXPECT_EQ(DecodeSnapshot(flipped).error().message, "snapshot checksum mismatch");
  EXPECT_FALSE(DecodeSnapshot(bytes.substr(0, bytes.size() - 1)).ok());  // torn write
  EXPECT_FALSE(DecodeSnapshot("").ok());
  EXPECT_FALSE(DecodeSnapshot("RBSNAP1\n").ok());
  EXPECT_FALSE(ReadSnapshotFile(dir_ + "/missing").ok());
}

TEST_F(SnapshotFileTest, UnwritableDirectoryIsError) {
  EXPECT_FALSE(WriteSnapshotFile(dir_ + "/no/such/dir/x.snap", Sample()).ok());
}

}  // namespace
}  // namespace rackboot::bootd::agent
