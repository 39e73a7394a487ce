// bootd in server mode against busybox udhcpc and ISC dhclient in network
// namespaces:
//  - REBINDING (RFC 2131 §4.4.5): with short leases the client renews by
//    unicast at T1; then unicast to the server is dropped (nft), so at T2
//    it rebinds by broadcast and bootd extends the lease.
//  - the optional ICMP probe (dhcp.pingCheckMillis): a host squatting on a
//    pool address answers ping, bootd quarantines that address and the
//    client gets another one.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

std::string ServerConfig(const std::string& work_dir, const std::string& range_end, int lease_seconds,
                         const std::string& extra = "") {
  LabBootdConfig c(work_dir);
  c.dhcp_extra = extra;
  c.pools[0].range_end = range_end;
  c.pools[0].lease_seconds = lease_seconds;
  return c.Yaml();
}

// Records "<event> ip=<address>" and touches no address (the probe test's
// squatter address must stay on the interface).
std::string RecordOnlyScript(const std::string& events) {
  return "#!/bin/sh\necho \"$1 ip=$ip\" >> " + events + "\nexit 0\n";
}

class DhcpRebindProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    lab_ = std::make_unique<NetnsLab>("dhcprb");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
    ConnectServerAndClient(*lab_);
  }
  std::string wd() const { return lab_->work_dir(); }
  std::unique_ptr<NetnsLab> lab_;
};

TEST_F(DhcpRebindProbeTest, UdhcpcRenewsUnicastThenRebindsByBroadcastAfterT2) {
  ASSERT_FALSE(FindProgram("nft").empty()) << "nftables is installed by scripts/setup";
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd(), "192.0.2.120", 10));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  const std::string events = wd() + "/events", hook = wd() + "/hook";
  WriteFile(hook, UdhcpcScript(events), true);
  auto udhcpc = lab_->Spawn("cli", {"udhcpc", "-f", "-i", "eth0", "-s", hook, "-t", "10", "-T", "1", "-A", "1"});
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("bound ") != std::string::npos; }))
      << udhcpc->Output() << bootd->Output();
  const std::string ip = AddressAfter(ReadFile(events), "bound ip=");
  ASSERT_FALSE(ip.empty());
  const std::string ack_to_client = "type=ack yiaddr=" + ip + " to=" + ip + ":68";

  // T1 = 5 s: a unicast renewal (RFC 2131 §4.4.5 RENEWING) is answered.
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("renew ") != std::string::npos; }))
      << udhcpc->Output() << bootd->Output();
  EXPECT_EQ(AddressAfter(ReadFile(events), "renew ip="), ip);
  EXPECT_GE(Count(bootd->Output(), ack_to_client), 1u) << bootd->Output();

  // From now on unicast to the server is lost; udhcpc sends its broadcasts
  // through a packet socket, which netfilter does not see.
  const std::string cli = lab_->FullName("cli");
  lab_->Exec(cli, {"nft", "add", "table", "ip", "rbt"});
  lab_->Exec(cli, {"nft", "add", "chain", "ip", "rbt", "out", "{ type filter hook output priority 0 ; }"});
  lab_->Exec(cli, {"nft", "add", "rule", "ip", "rbt", "out", "ip", "daddr", "192.0.2.1", "udp", "dport", "67",
                   "counter", "drop"});
  WriteFile(events, "");
  const size_t acks_before = Count(bootd->Output(), ack_to_client);

  // Next T1: the unicast renewals are dropped (counted by nft); at T2 the
  // client broadcasts a REQUEST with ciaddr (REBINDING) and bootd ACKs it.
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("renew ") != std::string::npos; }, std::chrono::seconds(60)))
      << udhcpc->Output() << bootd->Output();
  EXPECT_EQ(AddressAfter(ReadFile(events), "renew ip="), ip);
  EXPECT_GT(Count(bootd->Output(), ack_to_client), acks_before) << bootd->Output();
  std::string counters;
  lab_->Run("cli", {"nft", "list", "chain", "ip", "rbt", "out"}, &counters);
  EXPECT_EQ(counters.find("counter packets 0 "), std::string::npos) << "no unicast renewal was tried:\n" << counters;
  // busybox: "sending renew to server X" (unicast), "broadcasting renew" (REBINDING).
  EXPECT_NE(udhcpc->Output().find("broadcasting renew"), std::string::npos) << udhcpc->Output();
  // Never NAKed, never lost the lease.
  EXPECT_EQ(ReadFile(events).find("deconfig"), std::string::npos) << ReadFile(events);
  EXPECT_EQ(bootd->Output().find("type=nak"), std::string::npos) << bootd->Output();
  udhcpc->Kill(SIGTERM);
}

// The same with ISC dhclient. Its retry interval starts at 10 s by default
// and is cut at the lease expiry, so with a short lease the first retry
// after T1 would already be past expiry and dhclient would never reach T2;
// initial-interval/backoff-cutoff bring the retries down to 1-2 s so they
// fall between T2 and expiry as they do with real lease times.
TEST_F(DhcpRebindProbeTest, DhclientRenewsUnicastThenRebindsByBroadcastAfterT2) {
  ASSERT_FALSE(FindProgram("nft").empty()) << "nftables is installed by scripts/setup";
  ASSERT_FALSE(FindProgram("dhclient").empty()) << "isc-dhcp-client is installed by scripts/setup";
  // 30 s leases: T1 15 s, T2 26.25 s (bootd sends 58/59 as 1/2 and 7/8).
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd(), "192.0.2.120", 30));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  const std::string events = wd() + "/events", hook = wd() + "/hook", conf = wd() + "/dhclient.conf";
  WriteFile(hook, DhclientScript(events), true);
  WriteFile(conf, "initial-interval 1;\nbackoff-cutoff 2;\n");
  auto dhclient = lab_->Spawn("cli", {"dhclient", "-4", "-d", "-v", "-cf", conf, "-sf", hook, "-lf", wd() + "/leases",
                                      "-pf", wd() + "/dhclient.pid", "eth0"});
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("BOUND ") != std::string::npos; }))
      << dhclient->Output() << bootd->Output();
  const std::string ip = AddressAfter(ReadFile(events), "BOUND ip=");
  ASSERT_FALSE(ip.empty()) << ReadFile(events);

  // T1: RENEWING, a unicast REQUEST to the server, answered unicast.
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(events).find("RENEW ") != std::string::npos; }, std::chrono::seconds(40)))
      << dhclient->Output() << bootd->Output();
  EXPECT_EQ(AddressAfter(ReadFile(events), "RENEW ip="), ip);
  EXPECT_NE(dhclient->Output().find("DHCPREQUEST for " + ip + " on eth0 to 192.0.2.1 port 67"), std::string::npos)
      << dhclient->Output();

  // From now on unicast to the server is lost on the server's input (an
  // output rule would make dhclient's sendto fail instead of timing out).
  const std::string srv = lab_->FullName("srv");
  lab_->Exec(srv, {"nft", "add", "table", "ip", "rbt"});
  lab_->Exec(srv, {"nft", "add", "chain", "ip", "rbt", "in", "{ type filter hook input priority 0 ; }"});
  lab_->Exec(srv, {"nft", "add", "rule", "ip", "rbt", "in", "ip", "daddr", "192.0.2.1", "udp", "dport", "67", "counter",
                   "drop"});
  WriteFile(events, "");
  const size_t output_before = dhclient->Output().size();

  // Next T1: unicast renewals vanish; after T2 dhclient broadcasts its
  // REQUEST (REBINDING) and bootd's ACK keeps the address. dhclient 4.4
  // reports that ACK as RENEW or REBIND depending on its state bookkeeping,
  // so the broadcast itself is asserted from dhclient's log.
  ASSERT_TRUE(WaitUntil(
      [&] {
        const std::string ev = ReadFile(events);
        return ev.find("RENEW ") != std::string::npos || ev.find("REBIND ") != std::string::npos ||
               ev.find("EXPIRE") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << dhclient->Output() << bootd->Output();
  const std::string ev = ReadFile(events);
  EXPECT_EQ(ev.find("EXPIRE"), std::string::npos) << ev << dhclient->Output().substr(output_before);
  EXPECT_EQ(ev.find("PREINIT"), std::string::npos) << ev;
  const std::string after = dhclient->Output().substr(output_before);
  EXPECT_NE(after.find("DHCPREQUEST for " + ip + " on eth0 to 192.0.2.1 port 67"), std::string::npos) << after;
  EXPECT_NE(after.find("DHCPREQUEST for " + ip + " on eth0 to 255.255.255.255 port 67"), std::string::npos) << after;
  EXPECT_NE(after.find("DHCPACK of " + ip + " from 192.0.2.1"), std::string::npos) << after;
  std::string counters;
  lab_->Run("srv", {"nft", "list", "chain", "ip", "rbt", "in"}, &counters);
  EXPECT_EQ(counters.find("counter packets 0 "), std::string::npos) << "no unicast renewal was dropped:\n" << counters;
  EXPECT_EQ(bootd->Output().find("type=nak"), std::string::npos) << bootd->Output();
  dhclient->Kill(SIGTERM);
}

TEST_F(DhcpRebindProbeTest, PoolAddressThatAnswersPingIsQuarantinedAndAnotherOffered) {
  // The allocator starts at rangeStart: a squatter holds 192.0.2.100.
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd(), "192.0.2.101", 600, "  pingCheckMillis: 500\n"));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  lab_->Exec(lab_->FullName("cli"), {"ip", "addr", "add", "192.0.2.100/24", "dev", "eth0"});
  const std::string events = wd() + "/events", hook = wd() + "/hook";
  WriteFile(hook, RecordOnlyScript(events), true);
  std::string out;
  ASSERT_EQ(RunUdhcpcOnce(*lab_, "cli", hook, &out), 0) << out << bootd->Output();
  EXPECT_EQ(AddressAfter(ReadFile(events), "bound ip="), "192.0.2.101") << ReadFile(events) << bootd->Output();
  EXPECT_NE(bootd->Output().find("msg=\"pool address answered a ping, quarantined\" ip=192.0.2.100"), std::string::npos)
      << bootd->Output();
  EXPECT_EQ(bootd->Output().find("yiaddr=192.0.2.100"), std::string::npos) << bootd->Output();
}

// The probe is pure cost when nobody answers: the first free address is
// offered after the wait, and no address is quarantined.
TEST_F(DhcpRebindProbeTest, SilentPoolAddressIsOfferedAfterTheProbe) {
  auto bootd = StartBootd(*lab_, "srv", ServerConfig(wd(), "192.0.2.101", 600, "  pingCheckMillis: 200\n"));
  ASSERT_TRUE(bootd->Running()) << bootd->Output();
  const std::string events = wd() + "/events", hook = wd() + "/hook";
  WriteFile(hook, RecordOnlyScript(events), true);
  std::string out;
  ASSERT_EQ(RunUdhcpcOnce(*lab_, "cli", hook, &out), 0) << out << bootd->Output();
  EXPECT_EQ(AddressAfter(ReadFile(events), "bound ip="), "192.0.2.100") << ReadFile(events);
  EXPECT_EQ(bootd->Output().find("quarantined"), std::string::npos) << bootd->Output();
}

}  // namespace
}  // namespace rackboot::testing::dhcp
