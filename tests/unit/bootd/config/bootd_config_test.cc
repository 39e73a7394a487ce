#include "bootd/config/bootd_config.h"

#include <gtest/gtest.h>

#include "common/yaml_config.h"
#include "tests/support/test_paths.h"

namespace rackboot::bootd {
namespace {

using testing::SourcePath;

TEST(BootdConfigTest, ExampleConfigLoads) {
  BootdConfig c = LoadBootdConfig(SourcePath("deploy/examples/bootd.yaml"));
  EXPECT_EQ(c.rack, "rack-a");
  EXPECT_EQ(c.dhcp.mode, DhcpMode::kServer);
  ASSERT_EQ(c.dhcp.pools.size(), 1u);
  EXPECT_EQ(c.dhcp.pools[0].range_start.ToString(), "10.77.0.100");
  EXPECT_EQ(c.dhcp.pools[0].lease_seconds, 3600u);
  EXPECT_EQ(c.tftp.root, "/srv/rackboot/tftp");
  EXPECT_EQ(c.http.public_url, "http://10.77.0.1:8080");
}

TEST(BootdConfigTest, RangeOutsideSubnetNamesFieldAndLine) {
  const std::string path = SourcePath("tests/testdata/config/bootd-bad-mode.yaml");
  try {
    LoadBootdConfig(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "dhcp.pools[0].rangeEnd");
    EXPECT_EQ(e.line(), 9);
    EXPECT_EQ(e.file(), path);
  }
}

TEST(BootdConfigTest, UnknownFieldRejected) {
  try {
    LoadBootdConfig(SourcePath("tests/testdata/config/bootd-typo.yaml"));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "tftp.blocksize");
    EXPECT_EQ(e.line(), 4);
  }
}

}  // namespace
}  // namespace rackboot::bootd
