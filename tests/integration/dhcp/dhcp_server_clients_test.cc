// bootd in server mode against real DHCP clients in network namespaces:
// ISC dhclient and busybox udhcpc get, renew and release leases, directly
// and through a DHCP relay (dnsmasq --dhcp-relay).
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

// Two pools: the lab's own segment and a relayed subnet.
std::string ServerConfig(const std::string& work_dir) {
  LabBootdConfig c(work_dir);
  c.pools[0].extra = "      dnsServers: [192.0.2.1]\n";
  c.pools.push_back(LabPool("198.51.100.0/24", "198.51.100.10", "198.51.100.20", "198.51.100.1"));
  return c.Yaml();
}

// First address after "<reason> ip=" in the hook's event lines.
std::string EventIp(const std::string& events, const std::string& reason) {
  return AddressAfter(events, reason + " ip=");
}

class DhcpServerClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    lab_ = std::make_unique<NetnsLab>("dhcp");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
  }
  void Direct() { ConnectServerAndClient(*lab_); }
  std::string wd() const { return lab_->work_dir(); }
  std::unique_ptr<NetnsLab> lab_;
};

TEST_F(DhcpServerClientsTest, DhclientGetsLeaseRebootsIntoItAndReleases) {
  Direct();
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd()));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  const std::string events = wd() + "/dhclient-events", hook = wd() + "/dhclient-hook";
  WriteFile(hook, DhclientScript(events), true);
  const std::vector<std::string> common = {
      "-sf", hook, "-lf", wd() + "/dhclient.leases", "-pf", wd() + "/dhclient.pid"};
  auto dhclient = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"timeout", "60", "dhclient", "-4", "-v"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), common.begin(), common.end());
    argv.push_back("eth0");
    std::string out;
    int rc = lab_->Run("cli", argv, &out);
    return std::make_pair(rc, out);
  };

  // DORA: dhclient binds, daemonizes, exits 0.
  auto [rc, out] = dhclient({"-1"});
  ASSERT_EQ(rc, 0) << out << bootd->Output();
  const std::string ip = EventIp(ReadFile(events), "BOUND");
  ASSERT_FALSE(ip.empty()) << ReadFile(events);
  EXPECT_EQ(ip.rfind("192.0.2.1", 0), 0u);  // 192.0.2.100-120
  EXPECT_NE(bootd->Output().find("type=offer yiaddr=" + ip), std::string::npos) << bootd->Output();
  EXPECT_NE(bootd->Output().find("type=ack yiaddr=" + ip), std::string::npos);
  EXPECT_NE(ReadFile(wd() + "/dhclient.leases").find("fixed-address " + ip + ";"), std::string::npos);

  // Stop without releasing, start again: INIT-REBOOT asks for the same
  // address (REQUEST with option 50, no server id) and gets it.
  ASSERT_EQ(dhclient({"-x"}).first, 0);
  std::tie(rc, out) = dhclient({"-1"});
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(EventIp(ReadFile(events), "REBOOT"), ip) << ReadFile(events) << bootd->Output();

  // Release: bootd frees the lease.
  std::tie(rc, out) = dhclient({"-r"});
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(WaitUntil([&] { return bootd->Output().find("msg=\"lease released\"") != std::string::npos; }))
      << bootd->Output();
  EXPECT_NE(bootd->Output().find("ip=" + ip), std::string::npos);
}

TEST_F(DhcpServerClientsTest, UdhcpcGetsLeaseRenewsUnicastAndReleases) {
  Direct();
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd()));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  const std::string events = wd() + "/udhcpc-events", hook = wd() + "/udhcpc-hook";
  WriteFile(hook, UdhcpcScript(events), true);
  auto udhcpc = lab_->Spawn("cli", {"udhcpc", "-f", "-i", "eth0", "-s", hook, "-t", "10", "-T", "1", "-A", "1"});
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("bound ") != std::string::npos; }))
      << udhcpc->Output() << bootd->Output();
  const std::string ev = ReadFile(events);
  const std::string ip = EventIp(ev, "bound");
  EXPECT_EQ(ip.rfind("192.0.2.1", 0), 0u);
  EXPECT_NE(ev.find("router=192.0.2.1"), std::string::npos);
  EXPECT_NE(ev.find("serverid=192.0.2.1"), std::string::npos);

  // SIGUSR1: RENEWING -- a unicast REQUEST with ciaddr, answered unicast.
  udhcpc->Kill(SIGUSR1);
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("renew ") != std::string::npos; }))
      << udhcpc->Output() << bootd->Output();
  EXPECT_EQ(EventIp(ReadFile(events), "renew"), ip);
  EXPECT_NE(bootd->Output().find("type=ack yiaddr=" + ip + " to=" + ip + ":68"), std::string::npos) << bootd->Output();

  // A malformed datagram is dropped and counted by reason, and bootd keeps
  // serving (the release below still works).
  lab_->Exec(lab_->FullName("cli"), {"python3", "-c",
                                     "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                                     "s.sendto(b'\\x01' * 100, ('192.0.2.1', 67))"});
  EXPECT_TRUE(WaitUntil([&] { return bootd->Output().find("reason=too_short") != std::string::npos; }))
      << bootd->Output();

  // SIGUSR2: release.
  udhcpc->Kill(SIGUSR2);
  EXPECT_TRUE(WaitUntil([&] { return bootd->Output().find("msg=\"lease released\"") != std::string::npos; }))
      << udhcpc->Output() << bootd->Output();
  udhcpc->Kill(SIGTERM);
}

// kill -9 after an ACK: the lease journal brings the binding back, the same
// client gets its address again and a different client never gets it.
TEST_F(DhcpServerClientsTest, AckedLeaseSurvivesKill9AndIsNotGivenToAnotherClient) {
  Direct();
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd()));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  ASSERT_NE(bootd->Output().find("msg=\"lease journal open\""), std::string::npos) << bootd->Output();
  const std::string events = wd() + "/events", hook = wd() + "/hook";
  WriteFile(hook, UdhcpcScript(events), true);
  auto lease_once = [&](const std::string& mac) {
    lab_->Exec(lab_->FullName("cli"), {"ip", "addr", "flush", "dev", "eth0"});
    lab_->Exec(lab_->FullName("cli"), {"ip", "link", "set", "eth0", "address", mac});
    WriteFile(events, "");
    std::string out;
    EXPECT_EQ(RunUdhcpcOnce(*lab_, "cli", hook, &out), 0) << out;
    return EventIp(ReadFile(events), "bound");
  };
  const std::string first = lease_once("02:00:00:00:aa:01");
  ASSERT_FALSE(first.empty());
  // kill -9 right after the ACK, then a fresh bootd on the same journal.
  bootd->Kill(SIGKILL);
  bootd->Wait(std::chrono::seconds(10));
  bootd = StartBootd(*lab_, "srv", ServerConfig(wd()));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  EXPECT_EQ(bootd->Output().find("leases=0"), std::string::npos) << bootd->Output();
  const std::string second = lease_once("02:00:00:00:aa:02");
  ASSERT_FALSE(second.empty()) << bootd->Output();
  EXPECT_NE(second, first) << "a journaled lease was handed to another client after restart";
  // The first client still gets its own address back.
  EXPECT_EQ(lease_once("02:00:00:00:aa:01"), first);
}

TEST_F(DhcpServerClientsTest, RelayedClientGetsAddressFromTheRelaySubnet) {
  const std::string dnsmasq = FindProgram("dnsmasq");
  ASSERT_FALSE(dnsmasq.empty()) << "dnsmasq is installed by scripts/setup";
  lab_->AddNamespace("relay");
  lab_->AddVeth("srv", "eth0", "relay", "eth0");
  lab_->AddVeth("relay", "eth1", "cli", "eth0");
  lab_->SetAddress("srv", "eth0", "192.0.2.1/24");
  lab_->SetAddress("relay", "eth0", "192.0.2.2/24");
  lab_->SetAddress("relay", "eth1", "198.51.100.1/24");
  for (auto [ns, ifname] : {std::pair{"srv", "eth0"}, {"relay", "eth0"}, {"relay", "eth1"}, {"cli", "eth0"}}) {
    lab_->SetUp(ns, ifname);
  }
  lab_->Exec(lab_->FullName("srv"), {"ip", "route", "add", "198.51.100.0/24", "via", "192.0.2.2"});
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd()));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  auto relay = lab_->Spawn("relay", {dnsmasq, "--no-daemon", "--conf-file=/dev/null", "--port=0", "--user=root",
                                     "--pid-file=", "--log-dhcp", "--dhcp-relay=198.51.100.1,192.0.2.1"});
  ASSERT_TRUE(WaitUntil([&] { return relay->Output().find("DHCP relay") != std::string::npos || !relay->Running(); }))
      << relay->Output();
  ASSERT_TRUE(relay->Running()) << relay->Output();

  const std::string events = wd() + "/relayed-events", hook = wd() + "/relayed-hook";
  WriteFile(hook, UdhcpcScript(events), true);
  std::string out;
  ASSERT_EQ(RunUdhcpcOnce(*lab_, "cli", hook, &out), 0) << out << relay->Output() << bootd->Output();
  const std::string ev = ReadFile(events);
  const std::string ip = EventIp(ev, "bound");
  EXPECT_EQ(ip.rfind("198.51.100.", 0), 0u) << ev;
  EXPECT_NE(ev.find("router=198.51.100.1"), std::string::npos) << ev;
  // bootd answered the relay, not the client.
  EXPECT_NE(bootd->Output().find("type=ack yiaddr=" + ip + " to=198.51.100.1:67"), std::string::npos)
      << bootd->Output();
}

}  // namespace
}  // namespace rackboot::testing::dhcp
