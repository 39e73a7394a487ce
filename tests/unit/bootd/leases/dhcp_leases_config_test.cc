// The dhcp.leases section of bootd's config (parsed in
// bootd/config/bootd_config.cc; kept here beside the journal it configures).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "bootd/config/bootd_config.h"
#include "bootd/leases/lease_journal_config.h"
#include "common/yaml_config.h"

namespace rackboot::bootd {
namespace {

class DhcpLeasesConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rbt-leases-cfg-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  BootdConfig Load(const std::string& dhcp_body) {
    const std::string path = dir_ + "/bootd.yaml";
    std::ofstream(path) << "rack: r1\nstateDir: /srv/state\ndhcp:\n  mode: \"off\"\n" << dhcp_body;
    return LoadBootdConfig(path);
  }
  std::string dir_;
};

TEST_F(DhcpLeasesConfigTest, DefaultsToGroupCommitUnderStateDir) {
  const BootdConfig c = Load("");
  EXPECT_EQ(c.dhcp.leases.path, "/srv/state/dhcp-leases.journal");
  EXPECT_EQ(c.dhcp.leases.fsync, FsyncPolicy::kGroup);
  EXPECT_EQ(c.dhcp.leases.compact_ratio, 4);
}

TEST_F(DhcpLeasesConfigTest, ReadsEveryField) {
  const BootdConfig c = Load("  leases:\n    path: /var/lib/x/leases\n    fsync: always\n    compactRatio: 8\n");
  EXPECT_EQ(c.dhcp.leases.path, "/var/lib/x/leases");
  EXPECT_EQ(c.dhcp.leases.fsync, FsyncPolicy::kAlways);
  EXPECT_EQ(c.dhcp.leases.compact_ratio, 8);
  EXPECT_EQ(Load("  leases:\n    fsync: never\n").dhcp.leases.fsync, FsyncPolicy::kNever);
  const JournalOptions options = JournalOptionsFromConfig(c.dhcp.leases);
  EXPECT_EQ(options.path, "/var/lib/x/leases");
  EXPECT_EQ(options.fsync, FsyncPolicy::kAlways);
  EXPECT_EQ(options.compact_ratio, 8.0);
}

TEST_F(DhcpLeasesConfigTest, RejectsBadValuesNamingTheField) {
  try {
    Load("  leases:\n    fsync: sometimes\n");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "dhcp.leases.fsync");
  }
  EXPECT_THROW(Load("  leases:\n    compactRatio: 1\n"), ConfigError);
  EXPECT_THROW(Load("  leases:\n    fsynk: always\n"), ConfigError);
}

}  // namespace
}  // namespace rackboot::bootd
