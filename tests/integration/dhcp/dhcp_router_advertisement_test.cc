// bootd's "no IPv6 router" advertisement (dhcp.ipv6RouterAdvertisement)
// seen by a real router-discovery client, rdisc6 (ndisc6), in the client
// namespace: in server mode bootd answers the solicitation with router
// lifetime 0, no prefix and no DHCPv6 flags, from its own MAC; in proxy
// mode (the default "auto") it stays silent, since the network belongs to
// the primary DHCP server's operator.
#include <gtest/gtest.h>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

std::string Config(const std::string& work_dir, const std::string& mode) {
  LabBootdConfig c(work_dir);
  c.mode = mode;
  return c.Yaml();
}

// The value of rdisc6's "<label>   :   <value>" line, spaces trimmed.
std::string RdiscField(const std::string& out, const std::string& label) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, label.size(), label) != 0) continue;
    const size_t colon = line.find(':', start + label.size());
    if (colon == std::string::npos || line.find_first_not_of(' ', start + label.size()) != colon) continue;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    return value == std::string::npos ? "" : line.substr(value);
  }
  return "<no " + label + " line>";
}

class DhcpRouterAdvertisementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    ASSERT_FALSE(FindProgram("rdisc6").empty()) << "rdisc6 comes with ndisc6 (scripts/setup)";
    lab_ = std::make_unique<NetnsLab>("dhcpra");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
    ConnectServerAndClient(*lab_);
    // Both link-local addresses out of duplicate address detection, so the
    // exchange does not depend on how fast DAD is on this machine.
    for (const char* ns : {"srv", "cli"}) {
      ASSERT_TRUE(WaitUntil([&] {
        std::string out;
        lab_->Run(ns, {"ip", "-6", "addr", "show", "dev", "eth0", "tentative"}, &out);
        std::string all;
        lab_->Run(ns, {"ip", "-6", "addr", "show", "dev", "eth0"}, &all);
        return out.empty() && all.find("fe80::") != std::string::npos;
      })) << ns;
    }
  }
  std::string Mac(const std::string& ns) {
    std::string out;
    lab_->Run(ns, {"cat", "/sys/class/net/eth0/address"}, &out);
    return out.substr(0, out.find('\n'));
  }
  // rdisc6: up to 3 solicitations, 1 s apart; exit 0 once an RA arrived.
  int Discover(std::string* out) {
    return lab_->Run("cli", {"timeout", "20", "rdisc6", "-n", "-r", "3", "-w", "1000", "-1", "eth0"}, out);
  }
  std::string wd() const { return lab_->work_dir(); }
  std::unique_ptr<NetnsLab> lab_;
};

TEST_F(DhcpRouterAdvertisementTest, ServerModeTellsIpxeThereIsNoIpv6Router) {
  auto bootd = StartBootd(*lab_, "srv", Config(wd(), "server"));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  ASSERT_NE(bootd->Output().find("msg=\"advertising no IPv6 router\""), std::string::npos) << bootd->Output();
  std::string out;
  ASSERT_EQ(Discover(&out), 0) << out << bootd->Output();
  EXPECT_EQ(RdiscField(out, "Router lifetime"), "0 (0x00000000) seconds") << out;
  EXPECT_EQ(RdiscField(out, "Stateful address conf."), "No") << out;
  EXPECT_EQ(RdiscField(out, "Stateful other conf."), "No") << out;
  EXPECT_EQ(out.find("Prefix"), std::string::npos) << out;
  std::string mac = Mac("srv");
  for (char& ch : mac) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(RdiscField(out, "Source link-layer address"), mac) << out;
  EXPECT_NE(out.find("from fe80::"), std::string::npos) << out;
  EXPECT_NE(bootd->Output().find("msg=\"advertisement sent\" to=solicitor"), std::string::npos) << bootd->Output();
}

TEST_F(DhcpRouterAdvertisementTest, ProxyModeStaysSilentByDefault) {
  auto bootd = StartBootd(*lab_, "srv", Config(wd(), "proxy"));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  std::string out;
  EXPECT_NE(Discover(&out), 0) << out;
  EXPECT_NE(out.find("No response"), std::string::npos) << out;
  EXPECT_EQ(bootd->Output().find("advertising no IPv6 router"), std::string::npos) << bootd->Output();
}

}  // namespace
}  // namespace rackboot::testing::dhcp
