// TftpService in-process on 127.0.0.1 with a raw client: the traversal
// variants over the wire, WRQ refusal, hostile requests, boot events, the
// VirtualFileProvider hook, and which requests of one client (TID) start a
// transfer.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "bootd/tftp/tftp_service.h"
#include "tests/integration/tftp/tftp_wire_client.h"
#include "tests/unit/bootd/tftp/traversal_variants.h"

namespace rackboot::bootd::tftp {
namespace {

using testing::RawRrq;
using testing::WireFetch;

class RenderedConfigs : public VirtualFileProvider {
 public:
  std::optional<std::string> Render(const std::string& path, Ipv4Address client) override {
    if (path == "pxelinux.cfg/01-52-54-00-12-34-56") return "DEFAULT rendered\nLABEL rendered for " + client.ToString();
    return std::nullopt;
  }
};

class TftpLoopbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rbt-tftp-wire-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    testing::MakeTraversalLab(base_);
    content_.resize(700 * 1024);
    for (size_t i = 0; i < content_.size(); ++i) content_[i] = static_cast<char>((i * 7919) >> 5);
    std::ofstream(base_ + "/tftp/boot.bin", std::ios::binary) << content_;
    Assignment a;
    a.machine_name = "default/node-1";
    a.interfaces.push_back({*MacAddress::Parse("52:54:00:aa:bb:cc"), Ipv4Address::Parse("127.0.0.1"), true});
    assignments_.Upsert(a);
  }
  void TearDown() override {
    if (service_) service_->Stop();
    std::filesystem::remove_all(base_);
  }
  void StartService(int max_transfers = 64, TftpService::MacResolver resolver = nullptr, int max_queued = 4096) {
    TftpConfig c;
    c.enabled = true;
    c.listen = "127.0.0.1:0";
    c.root = base_ + "/tftp";
    c.max_transfers = max_transfers;
    c.max_queued = max_queued;
    c.retransmit_millis = 200;
    service_ = std::make_unique<TftpService>(c, &events_, &assignments_, std::make_shared<RenderedConfigs>());
    if (resolver) service_->SetMacResolver(std::move(resolver));
    ASSERT_TRUE(service_->Start().ok());
  }

  // Waits for the boot event the service records after the final ACK.
  std::vector<BootEvent> AwaitEvents(const char* mac) {
    std::vector<BootEvent> evs;
    for (int i = 0; i < 200 && evs.empty(); ++i) {
      evs = events_.EventsFor(*MacAddress::Parse(mac));
      if (evs.empty()) ::usleep(10000);
    }
    return evs;
  }

  std::string base_;
  std::string content_;
  BootEventRecorder events_;
  AssignmentStore assignments_;
  std::unique_ptr<TftpService> service_;
};

TEST_F(TftpLoopbackTest, TraversalVariantsReturnNoCanaryBytes) {
  StartService();
  const auto variants = testing::TraversalVariants(base_);
  ASSERT_GE(variants.size(), 200u);
  size_t refused = 0, data_bytes = 0;
  for (const std::string& v : variants) {
    auto r = WireFetch(service_->port(), RawRrq(v));
    EXPECT_EQ(r.data.find(testing::kCanary), std::string::npos) << "escaped with: " << v;
    data_bytes += r.data.size();
    // Some variants (embedded NUL) are cut at the NUL by the wire format and
    // become plain names, e.g. "ok.txt\0..." is a request for ok.txt with a
    // junk mode: refused as an illegal operation.
    refused += r.got_error;
  }
  EXPECT_EQ(data_bytes, 0u);
  EXPECT_EQ(refused, variants.size());
  // And the server still serves the legitimate file afterwards.
  auto ok = WireFetch(service_->port(), RawRrq("/ok.txt"));
  EXPECT_TRUE(ok.complete);
  EXPECT_EQ(ok.data, "inside");
}

TEST_F(TftpLoopbackTest, WriteRequestIsAnAccessViolation) {
  StartService();
  auto r = WireFetch(service_->port(), RawRrq("new.bin", "octet", {}, 2));
  EXPECT_TRUE(r.got_error);
  EXPECT_EQ(r.error_code, 2);
  EXPECT_FALSE(std::filesystem::exists(base_ + "/tftp/new.bin"));
}

TEST_F(TftpLoopbackTest, HostileRequestsGetErrorsAndTheServerKeepsServing) {
  StartService();
  EXPECT_EQ(WireFetch(service_->port(), RawRrq("")).error_code, 2);         // 0-byte name
  auto big = WireFetch(service_->port(), RawRrq(std::string(65000, 'a')));  // ~64 KiB name
  EXPECT_TRUE(big.got_error);
  EXPECT_EQ(WireFetch(service_->port(), RawRrq("missing.bin")).error_code, 1);
  EXPECT_EQ(WireFetch(service_->port(), RawRrq("boot.bin", "mail")).error_code, 4);
  std::vector<std::pair<std::string, std::string>> hundred;
  for (int i = 0; i < 100; ++i) hundred.emplace_back("x" + std::to_string(i), "1");
  EXPECT_EQ(WireFetch(service_->port(), RawRrq("boot.bin", "octet", hundred)).error_code, 4);
  std::vector<uint8_t> unterminated = RawRrq("boot.bin");
  const std::string opt = "blksize";
  unterminated.insert(unterminated.end(), opt.begin(), opt.end());
  EXPECT_EQ(WireFetch(service_->port(), unterminated).error_code, 4);
  // A 2-byte ERROR to port 69 is not answered (and does not crash anything).
  EXPECT_FALSE(WireFetch(service_->port(), {0, 5}, 1).got_error);
  // Absurd option values are clamped or ignored, and the file still arrives.
  auto clamped = WireFetch(
      service_->port(), RawRrq("boot.bin", "octet", {{"blksize", "99999999999"}, {"tsize", "18446744073709551616"}}));
  EXPECT_TRUE(clamped.complete);
  EXPECT_EQ(clamped.data, content_);
  EXPECT_EQ(clamped.oack, (std::vector<std::pair<std::string, std::string>>{{"blksize", "65464"}}));
  EXPECT_GE(service_->counters().malformed.load(), 2u);
}

TEST_F(TftpLoopbackTest, TransferRecordsABootEventWithTheAssignedMac) {
  StartService();
  auto r = WireFetch(service_->port(), RawRrq("boot.bin", "octet", {{"tsize", "0"}, {"blksize", "1468"}}));
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.data, content_);
  EXPECT_EQ(r.oack[0], (std::pair<std::string, std::string>{"tsize", std::to_string(content_.size())}));
  std::vector<BootEvent> evs = AwaitEvents("52:54:00:aa:bb:cc");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].stage, BootStage::kBootFile);
  EXPECT_EQ(evs[0].bytes, content_.size());
  EXPECT_EQ(evs[0].machine_name, "default/node-1");
  EXPECT_NE(evs[0].detail.find("file=boot.bin"), std::string::npos);
}

// A machine with a dynamic (DHCP pool) address: no assignment has the
// client's IP, so the MAC comes from the resolver (bootd: the lease table)
// and the machine from the assignment with that MAC.
TEST_F(TftpLoopbackTest, DynamicClientGetsTheMacOfItsLease) {
  assignments_.Remove("default/node-1");
  Assignment dynamic;
  dynamic.machine_name = "default/node-2";
  dynamic.interfaces.push_back({*MacAddress::Parse("52:54:00:dd:ee:ff"), std::nullopt, true});
  assignments_.Upsert(dynamic);
  std::atomic<int> asked{0};
  StartService(64, [&asked](Ipv4Address ip) -> std::optional<MacAddress> {
    ++asked;
    if (ip == *Ipv4Address::Parse("127.0.0.1")) return MacAddress::Parse("52:54:00:dd:ee:ff");
    return std::nullopt;
  });
  ASSERT_TRUE(WireFetch(service_->port(), RawRrq("boot.bin")).complete);
  std::vector<BootEvent> evs = AwaitEvents("52:54:00:dd:ee:ff");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].machine_name, "default/node-2");
  EXPECT_EQ(asked.load(), 1);
}

// A static assignment wins; the resolver is not asked.
TEST_F(TftpLoopbackTest, StaticAssignmentWinsOverTheResolver) {
  std::atomic<int> asked{0};
  StartService(64, [&asked](Ipv4Address) -> std::optional<MacAddress> {
    ++asked;
    return MacAddress::Parse("52:54:00:dd:ee:ff");
  });
  ASSERT_TRUE(WireFetch(service_->port(), RawRrq("boot.bin")).complete);
  ASSERT_EQ(AwaitEvents("52:54:00:aa:bb:cc").size(), 1u);
  EXPECT_EQ(asked.load(), 0);
}

TEST_F(TftpLoopbackTest, RenderedConfigComesFromTheProvider) {
  StartService();
  auto r = WireFetch(service_->port(), RawRrq("/pxelinux.cfg/01-52-54-00-12-34-56"));
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.data, "DEFAULT rendered\nLABEL rendered for 127.0.0.1");
  auto ascii = WireFetch(service_->port(), RawRrq("pxelinux.cfg/01-52-54-00-12-34-56", "netascii"));
  EXPECT_EQ(ascii.data, "DEFAULT rendered\r\nLABEL rendered for 127.0.0.1");
  EXPECT_EQ(WireFetch(service_->port(), RawRrq("pxelinux.cfg/default")).error_code, 1);  // not rendered, not on disk
}

// One client socket (one TID) talking to the service by hand.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    timeval tv{5, 0};  // a hang guard only: every datagram read here is one the server must send
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    server_.sin_family = AF_INET;
    server_.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &server_.sin_addr);
  }
  ~RawClient() { ::close(fd_); }
  void Send(const std::vector<uint8_t>& datagram) { SendTo(server_, datagram); }
  // The opcode of the next datagram (0 when none came); remembers its
  // sender as the transfer's TID.
  int ReceiveOpcode() {
    socklen_t len = sizeof tid_;
    const ssize_t n = ::recvfrom(fd_, buf_, sizeof buf_, 0, reinterpret_cast<sockaddr*>(&tid_), &len);
    return n >= 2 ? buf_[0] << 8 | buf_[1] : 0;
  }
  // After an OACK: ACKs block 0 and every DATA block of the transfer's TID
  // until the short last block. Returns the bytes received; counts datagrams
  // from any other TID in `strangers`.
  size_t FinishLockstep(int* strangers) {
    const uint16_t transfer_port = tid_.sin_port;
    size_t bytes = 0;
    Ack(0);
    while (true) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = ::recvfrom(fd_, buf_, sizeof buf_, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 4) return bytes;
      if (from.sin_port != transfer_port) {
        ++*strangers;
        continue;
      }
      if (buf_[1] != 3) return bytes;
      bytes += static_cast<size_t>(n) - 4;
      Ack(static_cast<uint16_t>(buf_[2] << 8 | buf_[3]));
      if (n - 4 < 512) return bytes;
    }
  }

 private:
  void SendTo(const sockaddr_in& to, const std::vector<uint8_t>& datagram) {
    ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  void Ack(uint16_t block) { SendTo(tid_, {0, 4, static_cast<uint8_t>(block >> 8), static_cast<uint8_t>(block)}); }

  int fd_;
  sockaddr_in server_{};
  sockaddr_in tid_{};
  uint8_t buf_[2048];
};

TEST_F(TftpLoopbackTest, RetransmittedRrqStartsNoSecondTransfer) {
  StartService();
  RawClient client(service_->port());
  const auto rrq = RawRrq("boot.bin", "octet", {{"tsize", "0"}});
  client.Send(rrq);
  ASSERT_EQ(client.ReceiveOpcode(), 6);  // OACK: the transfer exists
  client.Send(rrq);                      // the same request again from the same TID
  int strangers = 0;
  EXPECT_EQ(client.FinishLockstep(&strangers), content_.size());
  // A second transfer would have sent an OACK from a second TID, and would
  // stay active for seconds, retransmitting it (200 ms doubling, 6 tries).
  EXPECT_EQ(strangers, 0);
  EXPECT_EQ(service_->counters().requests.load(), 2u);
  for (int i = 0; i < 100 && service_->active_transfers() != 0; ++i) ::usleep(10000);  // the final ACK lands
  EXPECT_EQ(service_->active_transfers(), 0u);
}

TEST_F(TftpLoopbackTest, RefusedClientAsksAgainFromTheSamePort) {
  StartService();
  RawClient client(service_->port());
  client.Send(RawRrq("missing.bin"));
  ASSERT_EQ(client.ReceiveOpcode(), 5);  // ERROR: file not found
  // Right away, same TID, the next file (PXE clients probe names this way):
  // a new request, not a retransmission of the refused one.
  client.Send(RawRrq("boot.bin"));
  EXPECT_EQ(client.ReceiveOpcode(), 3);  // DATA 1
}

// Polls a service counter the loop threads update (a hang guard bound, not
// a timing assertion).
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 500 && !done(); ++i) ::usleep(10000);
  return done();
}

// At capacity a read request waits; it never gets an ERROR (a PXE ROM fails
// the boot on one). It starts once the transfer ahead of it ends.
TEST_F(TftpLoopbackTest, BusyServerQueuesRequestsInsteadOfRefusing) {
  StartService(1);
  RawClient first(service_->port());
  first.Send(RawRrq("boot.bin", "octet", {{"tsize", "0"}}));
  ASSERT_EQ(first.ReceiveOpcode(), 6);  // OACK: the one transfer slot is taken
  RawClient second(service_->port());
  second.Send(RawRrq("boot.bin", "octet", {{"tsize", "0"}}));
  ASSERT_TRUE(Eventually([&] { return service_->queued_requests() == 1; }));
  int strangers = 0;
  EXPECT_EQ(first.FinishLockstep(&strangers), content_.size());
  ASSERT_EQ(second.ReceiveOpcode(), 6);  // its OACK, not ERROR
  EXPECT_EQ(second.FinishLockstep(&strangers), content_.size());
  EXPECT_EQ(strangers, 0);
  EXPECT_EQ(service_->counters().queued.load(), 1u);
  EXPECT_EQ(service_->counters().refused.load(), 0u);
  EXPECT_TRUE(Eventually([&] { return service_->counters().completed.load() == 2; }));  // the final ACK
}

// Queue full too: the request is left unanswered, and the client's
// retransmission (same TID) is served once there is room.
TEST_F(TftpLoopbackTest, FullQueueLeavesRequestForTheClientToRetransmit) {
  StartService(1, nullptr, /*max_queued=*/0);
  RawClient first(service_->port());
  first.Send(RawRrq("boot.bin", "octet", {{"tsize", "0"}}));
  ASSERT_EQ(first.ReceiveOpcode(), 6);
  RawClient second(service_->port());
  const auto rrq = RawRrq("boot.bin", "octet", {{"tsize", "0"}});
  second.Send(rrq);
  ASSERT_TRUE(Eventually([&] { return service_->counters().ignored.load() == 1; }));
  int strangers = 0;
  EXPECT_EQ(first.FinishLockstep(&strangers), content_.size());
  ASSERT_TRUE(Eventually([&] { return service_->active_transfers() == 0; }));
  second.Send(rrq);  // what the ROM does when its RRQ timer expires
  ASSERT_EQ(second.ReceiveOpcode(), 6);
  EXPECT_EQ(second.FinishLockstep(&strangers), content_.size());
  EXPECT_EQ(service_->counters().refused.load(), 0u);
  EXPECT_TRUE(Eventually([&] { return service_->counters().completed.load() == 2; }));  // the final ACK
}
}  // namespace
}  // namespace rackboot::bootd::tftp
