#include "bootd/state_dir/prepare_state_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace rackboot::bootd::state_dir {
namespace {

namespace fs = std::filesystem;

struct Ids {
  uid_t uid;
  gid_t gid;
};

Ids OwnerOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return {st.st_uid, st.st_gid};
}

bool OwnedBy(const fs::path& p, uid_t uid, gid_t gid) {
  const Ids ids = OwnerOf(p);
  return ids.uid == uid && ids.gid == gid;
}

// What a root bootd leaves in its state directory on the node: a root-owned
// directory with root-owned files, and (here) a subdirectory and a symlink
// whose target lies outside the directory.
class PrepareStateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "chown to another user needs root";
    char tmpl[] = "/tmp/rb-state-dir-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    dir_ = base_ / "state";
    outside_ = base_ / "outside.txt";
    fs::create_directories(dir_ / "sub");
    std::ofstream(dir_ / "dhcp-leases.journal") << "journal";
    std::ofstream(dir_ / "sub" / "file") << "x";
    std::ofstream(outside_) << "not bootd's";
    fs::create_symlink(outside_, dir_ / "link");
    for (const auto& p : {dir_, dir_ / "sub", dir_ / "dhcp-leases.journal", dir_ / "sub" / "file", outside_}) {
      ASSERT_EQ(::chown(p.c_str(), 0, 0), 0) << p;
    }
    ASSERT_EQ(::lchown((dir_ / "link").c_str(), 0, 0), 0);
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_, dir_, outside_;
};

TEST_F(PrepareStateDirTest, OwnsEverythingBelowButNotASymlinksTarget) {
  auto report = PrepareStateDir(dir_.string(), Owner{65532, 65533});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->entries, 5u);  // the directory, the journal, sub, sub/file, the link
  EXPECT_EQ(report->changed, 5u);
  for (const auto& p : {dir_, dir_ / "sub", dir_ / "dhcp-leases.journal", dir_ / "sub" / "file", dir_ / "link"}) {
    EXPECT_TRUE(OwnedBy(p, 65532, 65533)) << p << " is " << OwnerOf(p).uid << ":" << OwnerOf(p).gid;
  }
  EXPECT_TRUE(OwnedBy(outside_, 0, 0)) << "the symlink's target was handed over";
}

TEST_F(PrepareStateDirTest, SecondRunChangesNothing) {
  ASSERT_TRUE(PrepareStateDir(dir_.string(), Owner{65532, 65532}).ok());
  auto again = PrepareStateDir(dir_.string(), Owner{65532, 65532});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->entries, 5u);
  EXPECT_EQ(again->changed, 0u);
}

TEST_F(PrepareStateDirTest, GroupAloneDifferingIsChanged) {
  ASSERT_EQ(::chown(dir_.c_str(), 65532, 0), 0);
  auto report = PrepareStateDir(dir_.string(), Owner{65532, 65532});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(OwnedBy(dir_, 65532, 65532));
}

TEST_F(PrepareStateDirTest, RefusesWhatIsNotADirectory) {
  auto file = PrepareStateDir((dir_ / "dhcp-leases.journal").string(), Owner{65532, 65532});
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("not a directory: " + (dir_ / "dhcp-leases.journal").string()), std::string::npos)
      << file.error().message;
  // A symlink to a directory is not followed either.
  fs::create_directory_symlink(dir_, base_ / "dirlink");
  auto link = PrepareStateDir((base_ / "dirlink").string(), Owner{65532, 65532});
  ASSERT_FALSE(link.ok());
  EXPECT_TRUE(OwnedBy(dir_, 0, 0));
  auto missing = PrepareStateDir((base_ / "missing").string(), Owner{65532, 65532});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot stat " + (base_ / "missing").string() + ": No such file"),
            std::string::npos)
      << missing.error().message;
}

TEST(ParseOwnerTest, UidOrUidAndGid) {
  auto both = ParseOwner("65532");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->uid, 65532u);
  EXPECT_EQ(both->gid, 65532u);
  auto pair = ParseOwner("1000:2000");
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ(pair->uid, 1000u);
  EXPECT_EQ(pair->gid, 2000u);
  for (const char* bad : {"", "rackboot", "1:", ":1", "-1", "1:2:3", "65532 ", "4294967295"}) {
    auto r = ParseOwner(bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "' accepted";
    EXPECT_NE(r.error().message.find(std::string("'") + bad + "'"), std::string::npos) << r.error().message;
  }
}

TEST(PrepareStateDirCommandTest, UsageErrorsExitTwo) {
  char cmd[] = "prepare-state-dir", owner[] = "--owner", uid[] = "x", dir[] = "/tmp";
  char* no_owner[] = {cmd, dir};
  EXPECT_EQ(RunPrepareStateDirCommand(2, no_owner), 2);
  char* bad_owner[] = {cmd, owner, uid, dir};
  EXPECT_EQ(RunPrepareStateDirCommand(4, bad_owner), 2);
}

}  // namespace
}  // namespace rackboot::bootd::state_dir
