// ISC perfdhcp (kea-admin) drives DORA and renew exchanges at a moderate
// rate against bootd in server mode; every exchange must complete. perfdhcp
// acts as a relay (giaddr = its own address), so this also exercises the
// relay reply path under load.
#include <gtest/gtest.h>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

TEST(DhcpPerfdhcpTest, DoraAndRenewWithoutFailures) {
  ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
  const std::string perfdhcp = FindProgram("perfdhcp");
  ASSERT_FALSE(perfdhcp.empty()) << "perfdhcp comes with kea-admin (scripts/setup)";
  NetnsLab lab("dhcpperf");
  lab.AddNamespace("srv");
  lab.AddNamespace("cli");
  lab.AddVeth("srv", "eth0", "cli", "eth0");
  lab.SetAddress("srv", "eth0", "10.0.0.1/16");
  lab.SetAddress("cli", "eth0", "10.0.0.2/16");
  lab.SetUp("srv", "eth0");
  lab.SetUp("cli", "eth0");
  // A pool big enough for every perfdhcp client.
  LabBootdConfig config(lab.work_dir());
  config.log_level = "warn";
  config.server_address = "10.0.0.1";
  config.pools = {LabPool("10.0.0.0/16", "10.0.1.0", "10.0.8.255", "10.0.0.1", 3600)};
  auto bootd = StartBootd(lab, "srv", config.Yaml());
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  std::string out;
  // 500 DORA exchanges from 500 distinct clients at 100/s, plus renewals
  // (-f) of acquired leases at 20/s. The machine running the suite may be
  // busy (sanitizer builds, parallel jobs): -d 5 lets a reply take up to 5 s
  // before perfdhcp calls it dropped, and -W waits 5 s at the end for
  // replies still in flight. This checks correctness, not speed (see bench/).
  int rc = lab.Run("cli",
                   {"timeout", "120", perfdhcp, "-4", "-l", "eth0", "-r", "100", "-R", "500", "-n", "500", "-f", "20",
                    "-d", "5", "-W", "5000000", "all"},
                   &out);
  EXPECT_EQ(rc, 0) << out << bootd->Output();
  // perfdhcp prints one block per exchange type with "drops: N".
  int blocks = 0;
  for (size_t at = out.find("drops: "); at != std::string::npos; at = out.find("drops: ", at + 1)) {
    EXPECT_EQ(out.compare(at, 9, "drops: 0\n"), 0) << out;
    ++blocks;
  }
  EXPECT_GE(blocks, 2) << out;  // DO and RA at least
  EXPECT_NE(out.find("sent packets: 500"), std::string::npos) << out;
}

}  // namespace
}  // namespace rackboot::testing::dhcp
