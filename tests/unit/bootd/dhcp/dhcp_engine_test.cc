// Decision tests per client class and per RFC 2131 state, without sockets.
#include "bootd/dhcp/dhcp_engine.h"

#include <gtest/gtest.h>

#include "bootd/dhcp/boot_answer.h"
#include "bootd/dhcp/options.h"
#include "bootd/leases/memory_lease_store.h"
#include "tests/unit/bootd/dhcp/real_client_packets.h"

namespace rackboot::bootd::dhcp {
namespace {

Ipv4Address Ip(const char* s) {
  return *Ipv4Address::Parse(s);
}
MacAddress Mac(const char* s) {
  return *MacAddress::Parse(s);
}
const MacAddress kKnownMac = Mac("52:54:00:12:34:56");  // testdata::kMac
constexpr int64_t kNow = 1'800'000'000;

std::string Addr(const char* s) {
  return OptionAddress{Ip(s)}.Serialize();
}

class DhcpEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.dhcp.mode = DhcpMode::kServer;
    config_.dhcp.interface = "eth0";
    config_.dhcp.server_address = Ip("192.0.2.1");
    DhcpPoolConfig local;
    local.subnet = *Ipv4Prefix::Parse("192.0.2.0/24");
    local.range_start = Ip("192.0.2.100");
    local.range_end = Ip("192.0.2.109");
    local.router = Ip("192.0.2.1");
    local.dns_servers = {Ip("192.0.2.53")};
    local.lease_seconds = 600;
    DhcpPoolConfig remote;
    remote.subnet = *Ipv4Prefix::Parse("198.51.100.0/24");
    remote.range_start = Ip("198.51.100.10");
    remote.range_end = Ip("198.51.100.20");
    config_.dhcp.pools = {local, remote};
    config_.http.public_url = "http://192.0.2.1:8080/";
    Assignment a;
    a.machine_name = "default/node1";
    a.hostname = "node1";
    a.uuid = "11223344-5566-7788-99aa-bbccddeeff01";
    a.interfaces.push_back({kKnownMac, Ip("192.0.2.50"), true});
    assignments_.ReplaceAll({a});
  }

  DhcpEngine& engine() {
    if (!engine_) engine_ = std::make_unique<DhcpEngine>(config_, assignments_, leases_, &events_, &discovered_);
    return *engine_;
  }

  Decision Decide(const Packet4& p, uint16_t port = kServerPort, int64_t now = kNow) {
    RequestContext ctx;
    ctx.local_port = port;
    ctx.source_ip = p.ciaddr;
    ctx.source_port = port == kPxeBootServerPort ? kPxeBootServerPort : kClientPort;
    ctx.now_unix = now;
    return engine().Decide(p, ctx);
  }

  Decision DecideBytes(const std::vector<uint8_t>& bytes, uint16_t port = kServerPort) {
    auto p = DecodePacket4(bytes);
    EXPECT_TRUE(p.ok());
    return Decide(*p, port);
  }

  static Packet4 Msg(MessageType type, const MacAddress& mac, uint32_t xid = 42) {
    Packet4 p;
    p.xid = xid;
    p.set_mac(mac);
    p.Set(kOptMessageType, std::string(1, static_cast<char>(type)));
    return p;
  }

  // DISCOVER + REQUEST(SELECTING); returns the ACKed address.
  Ipv4Address Dora(const MacAddress& mac, int64_t now = kNow) {
    Decision offer = Decide(Msg(MessageType::kDiscover, mac), kServerPort, now);
    EXPECT_TRUE(offer.reply);
    if (!offer.reply) return {};
    Packet4 req = Msg(MessageType::kRequest, mac);
    req.Set(kOptServerId, Addr("192.0.2.1"));
    req.Set(kOptRequestedIp, OptionAddress{offer.reply->yiaddr}.Serialize());
    Decision ack = Decide(req, kServerPort, now);
    EXPECT_TRUE(ack.reply);
    if (!ack.reply) return {};
    EXPECT_EQ(ack.reply->message_type(), MessageType::kAck);
    return ack.reply->yiaddr;
  }

  BootdConfig config_;
  AssignmentStore assignments_;
  MemoryLeaseStore leases_;
  BootEventRecorder events_;
  DiscoveredClients discovered_;
  std::unique_ptr<DhcpEngine> engine_;
  // AssignmentStore::Upsert/Remove of an existing machine read freed memory
  // (UnindexLocked erases the entry its argument refers to); these tests
  // use ReplaceAll until that is fixed in bootd/assignments.
};

TEST_F(DhcpEngineTest, UnknownClientGetsPlainDynamicLeaseAndIsRecordedAsDiscovered) {
  const MacAddress mac = Mac("02:00:00:00:00:01");
  Packet4 discover = Msg(MessageType::kDiscover, mac);
  discover.Set(kOptParameterList, std::string("\x03\x01\x06", 3));
  Decision offer = Decide(discover);
  ASSERT_TRUE(offer.reply);
  const Packet4& o = *offer.reply;
  EXPECT_EQ(o.op, kBootReply);
  EXPECT_EQ(o.message_type(), MessageType::kOffer);
  EXPECT_EQ(o.xid, 42u);
  EXPECT_TRUE(AddressAllocator::InRange(config_.dhcp.pools[0], o.yiaddr));
  EXPECT_EQ(*o.Find(kOptServerId), Addr("192.0.2.1"));
  EXPECT_EQ(OptionU32::Parse(*o.Find(kOptLeaseTime))->value, 600u);
  EXPECT_EQ(OptionU32::Parse(*o.Find(kOptRenewalTime))->value, 300u);
  EXPECT_EQ(OptionU32::Parse(*o.Find(kOptRebindingTime))->value, 525u);
  EXPECT_EQ(*o.Find(kOptSubnetMask), Addr("255.255.255.0"));
  EXPECT_EQ(*o.Find(kOptRouter), Addr("192.0.2.1"));
  EXPECT_TRUE(o.file.empty());
  EXPECT_TRUE(o.siaddr.IsZero());
  EXPECT_FALSE(o.Has(kOptBootfileName));
  EXPECT_EQ(offer.requested, (std::vector<uint8_t>{3, 1, 6}));
  // Not broadcast, no ciaddr, no giaddr: unicast to the new address (§4.1).
  EXPECT_EQ(offer.to.ip, o.yiaddr);
  EXPECT_EQ(offer.to.port, kClientPort);
  EXPECT_TRUE(offer.to.to_unconfigured_client);

  EXPECT_EQ(Dora(mac), o.yiaddr);
  auto lease = leases_.FindByIp(o.yiaddr);
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->state, LeaseState::kActive);
  EXPECT_EQ(lease->mac, mac);
  EXPECT_EQ(lease->expires_unix, kNow + 600);
  ASSERT_EQ(discovered_.size(), 1u);
  EXPECT_EQ(discovered_.All()[0].mac, mac);
  auto ev = events_.EventsFor(mac);
  ASSERT_GE(ev.size(), 3u);
  EXPECT_EQ(ev[0].stage, BootStage::kDhcpDiscover);
  EXPECT_EQ(ev[1].stage, BootStage::kDhcpOffer);
  EXPECT_EQ(ev.back().stage, BootStage::kDhcpAck);
}

TEST_F(DhcpEngineTest, ReservationGetsFixedAddressAndHostname) {
  Decision offer = Decide(Msg(MessageType::kDiscover, kKnownMac));
  ASSERT_TRUE(offer.reply);
  EXPECT_EQ(offer.reply->yiaddr, Ip("192.0.2.50"));
  EXPECT_EQ(*offer.reply->Find(kOptHostName), "node1");
  EXPECT_EQ(Dora(kKnownMac), Ip("192.0.2.50"));
  EXPECT_EQ(leases_.FindByIp(Ip("192.0.2.50"))->hostname, "node1");
  EXPECT_EQ(discovered_.size(), 0u);
  EXPECT_EQ(events_.EventsFor(kKnownMac).back().machine_name, "default/node1");
}

TEST_F(DhcpEngineTest, SeaBiosIpxeRomGetsItsScriptUrlAndNoProxyWait) {
  Decision d = DecideBytes(testdata::SeaBiosIpxeDiscover());
  ASSERT_TRUE(d.reply);
  const Packet4& o = *d.reply;
  EXPECT_EQ(o.yiaddr, Ip("192.0.2.50"));
  EXPECT_EQ(o.file, "http://192.0.2.1:8080/ipxe/52-54-00-12-34-56");
  EXPECT_EQ(*o.Find(kOptBootfileName), o.file);
  EXPECT_EQ(o.siaddr, Ip("192.0.2.1"));
  EXPECT_EQ(*o.Find(kOptTftpServerName), "192.0.2.1");
  auto ipxe = OptionSubOptions::Parse(*o.Find(kOptIpxeEncap));
  ASSERT_TRUE(ipxe);
  EXPECT_EQ(*ipxe->Find(kIpxeNoPxeDhcp), "\x01");
  EXPECT_EQ(*o.Find(kOptVendorClass), "PXEClient");
  EXPECT_EQ(d.max_message_size, 1472);
  // The encoded reply honours the iPXE parameter list order after 53/54.
  auto bytes = EncodePacket4(o, d.max_message_size, d.requested);
  ASSERT_TRUE(bytes.ok());
  auto back = DecodePacket4(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->options[0].first, kOptMessageType);
  EXPECT_EQ(back->options[1].first, kOptServerId);
  EXPECT_EQ(back->options[2].first, kOptSubnetMask);
}

TEST_F(DhcpEngineTest, OvmfFirmwarePxeGetsTftpFileWithDiscoveryControlBit3) {
  Decision d = DecideBytes(testdata::OvmfPxeDiscover());
  ASSERT_TRUE(d.reply);
  const Packet4& o = *d.reply;
  EXPECT_EQ(o.file, "ipxe.efi");
  EXPECT_EQ(*o.Find(kOptBootfileName), "ipxe.efi");
  EXPECT_EQ(o.sname, "192.0.2.1");
  EXPECT_EQ(o.siaddr, Ip("192.0.2.1"));
  EXPECT_EQ(*o.Find(kOptVendorClass), "PXEClient");
  auto pxe = OptionSubOptions::Parse(*o.Find(kOptVendorSpecific));
  ASSERT_TRUE(pxe);
  EXPECT_EQ(*pxe->Find(kPxeDiscoveryControl), std::string(1, '\x08'));
  EXPECT_FALSE(o.Has(kOptIpxeEncap));
  EXPECT_EQ(d.to.ip, Ip("255.255.255.255"));  // OVMF sets the broadcast flag
}

// PXE 2.1 option 43: sub-option 9 = per item type(2) len(1) description,
// sub-option 10 = timeout(1) prompt; 6 (bit 3) stays first and set.
TEST_F(DhcpEngineTest, FirmwarePxeGetsTheRackPxeMenuByteExact) {
  config_.dhcp.pxe_menu.items = {{0, "Local disk"}, {0x8001, "rackboot"}};
  config_.dhcp.pxe_menu.prompt = "F8";
  config_.dhcp.pxe_menu.timeout_seconds = 5;
  Decision d = DecideBytes(testdata::OvmfPxeDiscover());
  ASSERT_TRUE(d.reply);
  const std::string want = std::string("\x06\x01\x08", 3) +                         // discovery control
                           std::string("\x09\x18\x00\x00\x0a", 5) + "Local disk" +  // menu: type 0
                           std::string("\x80\x01\x08", 3) + "rackboot" +            // type 0x8001
                           std::string("\x0a\x03\x05", 3) + "F8" +                  // prompt, 5 s
                           std::string("\xff", 1);
  EXPECT_EQ(*d.reply->Find(kOptVendorSpecific), want);

  // The iPXE stage never sees the menu (iPXE would enter it instead of its script).
  Decision ipxe = DecideBytes(testdata::SeaBiosIpxeDiscover());
  ASSERT_TRUE(ipxe.reply);
  if (const std::string* o43 = ipxe.reply->Find(kOptVendorSpecific)) {
    auto sub = OptionSubOptions::Parse(*o43);
    ASSERT_TRUE(sub);
    EXPECT_FALSE(sub->Find(kPxeBootMenu));
    EXPECT_FALSE(sub->Find(kPxeMenuPrompt));
  }
}

TEST(PxeMenuEncoding, EmptyPromptIsJustTheTimeout) {
  PxeMenuConfig menu;
  menu.items = {{0xffff, "x"}};
  menu.timeout_seconds = 255;  // wait for a key
  EXPECT_EQ(EncodePxeBootMenu(menu), std::string("\xff\xff\x01x", 4));
  EXPECT_EQ(EncodePxeMenuPrompt(menu), std::string("\xff", 1));
}

TEST_F(DhcpEngineTest, BiosFirmwarePxeGetsUndionlyAndPerMachineOverrideWins) {
  auto b = testdata::Header();
  testdata::Opt(b, 53, {1});
  testdata::Opt(b, 93, {0, 0});
  testdata::OptStr(b, 60, "PXEClient:Arch:00000:UNDI:002001");
  b.push_back(255);
  EXPECT_EQ(DecideBytes(b).reply->file, "undionly.kpxe");

  Assignment a = *assignments_.FindByMac(kKnownMac);
  a.boot_file_overrides["x86_64-uefi"] = "snponly.efi";
  assignments_.ReplaceAll({a});
  EXPECT_EQ(DecideBytes(testdata::OvmfPxeDiscover()).reply->file, "snponly.efi");
  // Machine manifests may also override per architecture only.
  a.boot_file_overrides = {{"x86_64", "custom.efi"}};
  assignments_.ReplaceAll({a});
  EXPECT_EQ(DecideBytes(testdata::OvmfPxeDiscover()).reply->file, "custom.efi");
}

TEST_F(DhcpEngineTest, UefiHttpBootGetsUrlAndHttpClientClass) {
  auto b = testdata::Header();
  testdata::Opt(b, 53, {1});
  testdata::Opt(b, 93, {0, 16});
  testdata::OptStr(b, 60, "HTTPClient:Arch:00016:UNDI:003001");
  b.push_back(255);
  Decision d = DecideBytes(b);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(*d.reply->Find(kOptBootfileName), "http://192.0.2.1:8080/artifacts/ipxe.efi");
  EXPECT_EQ(*d.reply->Find(kOptVendorClass), "HTTPClient");
}

TEST_F(DhcpEngineTest, BootDisabledOrUnknownMachineGetsPlainLease) {
  Assignment a = *assignments_.FindByMac(kKnownMac);
  a.allow_pxe = false;
  assignments_.ReplaceAll({a});
  Decision d = DecideBytes(testdata::OvmfPxeDiscover());
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->yiaddr, Ip("192.0.2.50"));
  EXPECT_TRUE(d.reply->file.empty());
  EXPECT_FALSE(d.reply->Has(kOptVendorClass));
  EXPECT_FALSE(d.reply->Has(kOptVendorSpecific));

  assignments_.ReplaceAll({});
  d = DecideBytes(testdata::SeaBiosIpxeDiscover());
  ASSERT_TRUE(d.reply);
  EXPECT_TRUE(d.reply->file.empty());
  EXPECT_TRUE(AddressAllocator::InRange(config_.dhcp.pools[0], d.reply->yiaddr));
}

TEST_F(DhcpEngineTest, MachineIsFoundByUuidWhenMacIsUnknown) {
  Assignment a = *assignments_.FindByMac(kKnownMac);
  a.interfaces[0].mac = Mac("02:aa:00:00:00:01");
  assignments_.ReplaceAll({a});
  Decision d = DecideBytes(testdata::OvmfPxeDiscover());  // sends UUID 11223344-...
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->file, "ipxe.efi");
  EXPECT_TRUE(AddressAllocator::InRange(config_.dhcp.pools[0], d.reply->yiaddr));  // no IP reservation for this MAC
}

TEST_F(DhcpEngineTest, RequestForAnotherServerIsIgnored) {
  const MacAddress mac = Mac("02:00:00:00:00:02");
  ASSERT_TRUE(Decide(Msg(MessageType::kDiscover, mac)).reply);
  Packet4 req = Msg(MessageType::kRequest, mac);
  req.Set(kOptServerId, Addr("192.0.2.254"));
  req.Set(kOptRequestedIp, Addr("192.0.2.100"));
  Decision d = Decide(req);
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(d.drop, DropReason::kOtherServer);
  EXPECT_EQ(leases_.size(), 0u);
}

TEST_F(DhcpEngineTest, InitRebootOnWrongNetworkOrTakenAddressIsNakedAndBroadcast) {
  Ipv4Address taken = Dora(Mac("02:00:00:00:00:03"));
  Packet4 req = Msg(MessageType::kRequest, Mac("02:00:00:00:00:04"));
  req.Set(kOptRequestedIp, Addr("203.0.113.7"));
  Decision d = Decide(req);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type(), MessageType::kNak);
  EXPECT_TRUE(d.reply->yiaddr.IsZero());
  EXPECT_EQ(d.to.ip, Ip("255.255.255.255"));
  req.Set(kOptRequestedIp, OptionAddress{taken}.Serialize());
  EXPECT_EQ(Decide(req).reply->message_type(), MessageType::kNak);
  // A free address in range is fine (our record may be gone after a restart).
  req.Set(kOptRequestedIp, Addr("192.0.2.105"));
  d = Decide(req);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type(), MessageType::kAck);
  EXPECT_EQ(d.reply->yiaddr, Ip("192.0.2.105"));
}

TEST_F(DhcpEngineTest, RenewingExtendsTheLeaseAndAnswersUnicastToCiaddr) {
  const MacAddress mac = Mac("02:00:00:00:00:05");
  Ipv4Address ip = Dora(mac);
  Packet4 renew = Msg(MessageType::kRequest, mac);
  renew.ciaddr = ip;
  Decision d = Decide(renew, kServerPort, kNow + 300);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type(), MessageType::kAck);
  EXPECT_EQ(d.reply->yiaddr, ip);
  EXPECT_EQ(d.reply->ciaddr, ip);
  EXPECT_EQ(d.to.ip, ip);
  EXPECT_FALSE(d.to.to_unconfigured_client);
  EXPECT_EQ(leases_.FindByIp(ip)->expires_unix, kNow + 300 + 600);
  // Someone else renewing that address is refused.
  Packet4 thief = Msg(MessageType::kRequest, Mac("02:00:00:00:00:06"));
  thief.ciaddr = ip;
  EXPECT_EQ(Decide(thief).reply->message_type(), MessageType::kNak);
  // An address of a network we do not serve: another server's client.
  Packet4 foreign = Msg(MessageType::kRequest, mac);
  foreign.ciaddr = Ip("203.0.113.9");
  Decision silent = Decide(foreign);
  EXPECT_FALSE(silent.reply);
  EXPECT_EQ(silent.drop, DropReason::kNoLease);
}

// The service's batch mode: the ACK says it rests on a deferred commit (it
// may leave only after the batch's flush); the OFFER commits nothing.
TEST_F(DhcpEngineTest, DeferredCommitsMarkOnlyTheAckAsAwaitingTheFlush) {
  const MacAddress mac = Mac("02:00:00:00:00:0e");
  engine().set_deferred_commits(true);
  Decision offer = Decide(Msg(MessageType::kDiscover, mac));
  ASSERT_TRUE(offer.reply);
  EXPECT_FALSE(offer.awaits_flush);
  Packet4 req = Msg(MessageType::kRequest, mac);
  req.Set(kOptServerId, Addr("192.0.2.1"));
  req.Set(kOptRequestedIp, OptionAddress{offer.reply->yiaddr}.Serialize());
  Decision ack = Decide(req);
  ASSERT_TRUE(ack.reply);
  EXPECT_EQ(ack.reply->message_type(), MessageType::kAck);
  EXPECT_TRUE(ack.awaits_flush);
  EXPECT_EQ(leases_.FindByIp(offer.reply->yiaddr)->state, LeaseState::kActive);
  engine().set_deferred_commits(false);
  EXPECT_FALSE(Decide(req).awaits_flush);
}

TEST_F(DhcpEngineTest, ReleaseFreesTheAddressForOthers) {
  config_.dhcp.pools[0].range_end = Ip("192.0.2.100");  // one address
  const MacAddress a = Mac("02:00:00:00:00:07"), b = Mac("02:00:00:00:00:08");
  Ipv4Address ip = Dora(a);
  EXPECT_EQ(Decide(Msg(MessageType::kDiscover, b)).drop, DropReason::kPoolExhausted);
  Packet4 release = Msg(MessageType::kRelease, a);
  release.ciaddr = ip;
  release.Set(kOptServerId, Addr("192.0.2.1"));
  Decision d = Decide(release);
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(d.drop, DropReason::kNone);
  EXPECT_EQ(leases_.FindByIp(ip)->state, LeaseState::kReleased);
  EXPECT_EQ(Dora(b), ip);
  // A release from a client that does not own the lease changes nothing.
  release.set_mac(a);
  EXPECT_EQ(Decide(release).drop, DropReason::kNoLease);
}

TEST_F(DhcpEngineTest, DeclinedAddressIsQuarantined) {
  config_.dhcp.pools[0].range_end = Ip("192.0.2.101");
  const MacAddress a = Mac("02:00:00:00:00:09"), b = Mac("02:00:00:00:00:0a");
  Ipv4Address ip = Dora(a);
  Packet4 decline = Msg(MessageType::kDecline, a);
  decline.Set(kOptRequestedIp, OptionAddress{ip}.Serialize());
  decline.Set(kOptServerId, Addr("192.0.2.1"));
  EXPECT_EQ(Decide(decline).drop, DropReason::kNone);
  EXPECT_EQ(leases_.FindByIp(ip)->state, LeaseState::kDeclined);
  // During quarantine nobody gets it -- not even the client that declined.
  EXPECT_NE(Decide(Msg(MessageType::kDiscover, a)).reply->yiaddr, ip);
  EXPECT_NE(Decide(Msg(MessageType::kDiscover, b)).reply->yiaddr, ip);
  const int64_t later = kNow + config_.dhcp.decline_quarantine_seconds + 1;
  config_.dhcp.pools[0].range_end = Ip("192.0.2.100");
  EXPECT_EQ(Decide(Msg(MessageType::kDiscover, Mac("02:00:00:00:00:0b")), kServerPort, later).reply->yiaddr, ip);
}

TEST_F(DhcpEngineTest, InformGetsConfigurationWithoutLease) {
  Packet4 inform = Msg(MessageType::kInform, Mac("02:00:00:00:00:0c"));
  inform.ciaddr = Ip("192.0.2.77");
  Decision d = Decide(inform);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type(), MessageType::kAck);
  EXPECT_TRUE(d.reply->yiaddr.IsZero());
  EXPECT_FALSE(d.reply->Has(kOptLeaseTime));
  EXPECT_FALSE(d.reply->Has(kOptRenewalTime));
  EXPECT_TRUE(d.reply->Has(kOptSubnetMask));
  EXPECT_EQ(d.to.ip, Ip("192.0.2.77"));
  EXPECT_EQ(leases_.size(), 0u);
}

TEST_F(DhcpEngineTest, RelayedRequestsUseGiaddrPoolAndGoBackToTheRelay) {
  Packet4 discover = Msg(MessageType::kDiscover, Mac("02:00:00:00:00:0d"));
  discover.giaddr = Ip("198.51.100.1");
  discover.hops = 1;
  discover.Set(kOptRelayAgentInfo, std::string("\x01\x04port", 6));
  Decision d = Decide(discover);
  ASSERT_TRUE(d.reply);
  EXPECT_TRUE(AddressAllocator::InRange(config_.dhcp.pools[1], d.reply->yiaddr));
  EXPECT_EQ(d.reply->giaddr, Ip("198.51.100.1"));
  EXPECT_EQ(d.to.ip, Ip("198.51.100.1"));
  EXPECT_EQ(d.to.port, kServerPort);
  EXPECT_EQ(*d.reply->Find(kOptRelayAgentInfo), std::string("\x01\x04port", 6));
  // A NAK through a relay goes to the relay with the broadcast bit set.
  Packet4 bad = Msg(MessageType::kRequest, Mac("02:00:00:00:00:0d"));
  bad.giaddr = Ip("198.51.100.1");
  bad.Set(kOptRequestedIp, Addr("192.0.2.100"));
  Decision nak = Decide(bad);
  ASSERT_TRUE(nak.reply);
  EXPECT_EQ(nak.reply->message_type(), MessageType::kNak);
  EXPECT_EQ(nak.to.ip, Ip("198.51.100.1"));
  EXPECT_EQ(nak.to.port, kServerPort);
  EXPECT_TRUE(nak.reply->broadcast());
}

TEST_F(DhcpEngineTest, PoolExhaustionDropsAndCounts) {
  config_.dhcp.pools[0].range_end = Ip("192.0.2.101");
  Dora(Mac("02:00:00:00:01:01"));
  Dora(Mac("02:00:00:00:01:02"));
  EXPECT_EQ(Decide(Msg(MessageType::kDiscover, Mac("02:00:00:00:01:03"))).drop, DropReason::kPoolExhausted);
}

TEST_F(DhcpEngineTest, OfferedAddressIsHeldForItsClient) {
  Decision first = Decide(Msg(MessageType::kDiscover, Mac("02:00:00:00:02:01")));
  Decision second = Decide(Msg(MessageType::kDiscover, Mac("02:00:00:00:02:02")));
  ASSERT_TRUE(first.reply && second.reply);
  EXPECT_NE(first.reply->yiaddr, second.reply->yiaddr);
  // The first client asking again gets the same offer.
  EXPECT_EQ(Decide(Msg(MessageType::kDiscover, Mac("02:00:00:00:02:01"))).reply->yiaddr, first.reply->yiaddr);
}

TEST_F(DhcpEngineTest, DropsWhatIsNotAClientRequest) {
  Packet4 p = Msg(MessageType::kDiscover, Mac("02:00:00:00:03:01"));
  p.op = kBootReply;
  EXPECT_EQ(Decide(p).drop, DropReason::kNotBootRequest);
  p.op = kBootRequest;
  p.htype = 6;
  EXPECT_EQ(Decide(p).drop, DropReason::kUnsupportedHardware);
  p.htype = 1;
  p.Remove(kOptMessageType);
  EXPECT_EQ(Decide(p).drop, DropReason::kNoMessageType);
  p.Set(kOptMessageType, std::string(1, '\x02'));  // an OFFER sent to us
  EXPECT_EQ(Decide(p).drop, DropReason::kUnsupportedMessageType);
}

class ProxyEngineTest : public DhcpEngineTest {
 protected:
  void SetUp() override {
    DhcpEngineTest::SetUp();
    config_.dhcp.mode = DhcpMode::kProxy;
    config_.dhcp.pools.clear();
  }
};

TEST_F(ProxyEngineTest, OffersBootInfoOnlyNeverAnAddress) {
  Decision d = DecideBytes(testdata::OvmfPxeDiscover());
  ASSERT_TRUE(d.reply);
  const Packet4& o = *d.reply;
  EXPECT_EQ(o.message_type(), MessageType::kOffer);
  EXPECT_TRUE(o.yiaddr.IsZero());
  EXPECT_EQ(o.siaddr, Ip("192.0.2.1"));
  EXPECT_EQ(o.file, "ipxe.efi");
  EXPECT_EQ(*o.Find(kOptVendorClass), "PXEClient");
  EXPECT_TRUE(o.Has(kOptVendorSpecific));
  EXPECT_TRUE(o.Has(kOptClientUuid));
  EXPECT_FALSE(o.Has(kOptLeaseTime));
  EXPECT_FALSE(o.Has(kOptSubnetMask));
  EXPECT_EQ(d.to.ip, Ip("255.255.255.255"));
  EXPECT_EQ(leases_.size(), 0u);

  Decision ipxe = DecideBytes(testdata::SeaBiosIpxeDiscover());
  ASSERT_TRUE(ipxe.reply);
  EXPECT_TRUE(ipxe.reply->yiaddr.IsZero());
  EXPECT_EQ(ipxe.reply->file, "http://192.0.2.1:8080/ipxe/52-54-00-12-34-56");
  EXPECT_TRUE(ipxe.reply->Has(kOptIpxeEncap));
}

TEST_F(ProxyEngineTest, SilentForUnknownDisabledAndNonPxeClients) {
  Packet4 plain = Msg(MessageType::kDiscover, kKnownMac);
  EXPECT_EQ(Decide(plain).drop, DropReason::kNotPxeClient);
  Assignment a = *assignments_.FindByMac(kKnownMac);
  a.allow_pxe = false;
  assignments_.ReplaceAll({a});
  EXPECT_EQ(DecideBytes(testdata::OvmfPxeDiscover()).drop, DropReason::kPxeDisabled);
  assignments_.ReplaceAll({});
  Decision d = DecideBytes(testdata::OvmfPxeDiscover());
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(d.drop, DropReason::kUnknownClient);
  EXPECT_EQ(discovered_.size(), 1u);
}

TEST_F(ProxyEngineTest, NeverNaksRequestsMeantForTheSiteServer) {
  auto p = DecodePacket4(testdata::OvmfPxeDiscover());
  Packet4 req = *p;
  req.Set(kOptMessageType, std::string(1, '\x03'));
  req.Set(kOptServerId, Addr("192.0.2.254"));
  req.Set(kOptRequestedIp, Addr("192.0.2.150"));
  Decision d = Decide(req);
  EXPECT_FALSE(d.reply);
  EXPECT_EQ(d.drop, DropReason::kOtherServer);
  req.Remove(kOptServerId);  // INIT-REBOOT style: still not ours, still no NAK
  EXPECT_FALSE(Decide(req).reply);
  // Even naming us on port 67 gets no ACK: that would be a lease of 0.0.0.0.
  req.Set(kOptServerId, Addr("192.0.2.1"));
  EXPECT_FALSE(Decide(req).reply);
}

TEST_F(ProxyEngineTest, AnswersPort4011RequestsToTheirSource) {
  auto p = DecodePacket4(testdata::OvmfPxeDiscover());
  Packet4 req = *p;
  req.Set(kOptMessageType, std::string(1, '\x03'));
  req.ciaddr = Ip("192.0.2.150");  // address from the site server
  req.flags = 0;
  Decision d = Decide(req, kPxeBootServerPort);
  ASSERT_TRUE(d.reply);
  EXPECT_EQ(d.reply->message_type(), MessageType::kAck);
  EXPECT_TRUE(d.reply->yiaddr.IsZero());
  EXPECT_EQ(d.reply->file, "ipxe.efi");
  EXPECT_EQ(d.reply->siaddr, Ip("192.0.2.1"));
  EXPECT_EQ(d.to.ip, Ip("192.0.2.150"));
  EXPECT_EQ(d.to.port, kPxeBootServerPort);
}

}  // namespace
}  // namespace rackboot::bootd::dhcp
