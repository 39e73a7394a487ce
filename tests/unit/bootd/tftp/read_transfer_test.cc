#include "bootd/tftp/read_transfer.h"

#include <gtest/gtest.h>

#include <variant>

#include "bootd/tftp/packet.h"

namespace rackboot::bootd::tftp {
namespace {

// Content generated on the fly (the rollover test needs > 32 MiB).
class PatternSource : public BlockSource {
 public:
  explicit PatternSource(uint64_t size) : size_(size) {}
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    size_t n = 0;
    for (; n < out.size() && offset + n < size_; ++n) out[n] = Byte(offset + n);
    return n;
  }
  static uint8_t Byte(uint64_t at) { return static_cast<uint8_t>((at * 2654435761u) >> 13); }

 private:
  uint64_t size_;
};

// Collects what the state machine sends.
struct Wire {
  std::vector<Packet> sent;
  PacketSink sink() {
    return [this](std::span<const uint8_t> b) {
      auto p = DecodePacket(b);
      ASSERT_TRUE(p.ok());
      sent.push_back(*p);
    };
  }
  std::vector<uint16_t> DataBlocks() const {
    std::vector<uint16_t> out;
    for (const auto& p : sent) {
      if (auto* d = std::get_if<DataPacket>(&p)) out.push_back(d->block);
    }
    return out;
  }
  void Clear() { sent.clear(); }
};

NegotiatedOptions Opts(uint16_t blksize, uint16_t window, bool oack = false) {
  NegotiatedOptions o;
  o.blksize = blksize;
  o.windowsize = window;
  if (oack) o.oack = {{"blksize", std::to_string(blksize)}};
  return o;
}

void Ack(ReadTransfer& t, Wire& w, uint16_t block, int64_t now = 0) {
  t.OnDatagram(EncodeAck(block), now, w.sink());
}

TEST(ReadTransferTest, LockstepWithoutOptions) {
  PatternSource src(1300);
  ReadTransfer t(Opts(512, 1), &src, {});
  Wire w;
  t.Start(0, w.sink());
  ASSERT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1}));
  EXPECT_EQ(std::get<DataPacket>(w.sent[0]).data.size(), 512u);
  EXPECT_EQ(std::get<DataPacket>(w.sent[0]).data[7], PatternSource::Byte(7));
  w.Clear();
  Ack(t, w, 1);
  Ack(t, w, 2);
  ASSERT_EQ(w.DataBlocks(), (std::vector<uint16_t>{2, 3}));
  EXPECT_EQ(std::get<DataPacket>(w.sent[1]).data.size(), 1300u - 1024u);  // short final block
  EXPECT_EQ(t.state(), ReadTransfer::State::kSending);
  Ack(t, w, 3);
  EXPECT_EQ(t.state(), ReadTransfer::State::kComplete);
  EXPECT_EQ(t.bytes_acknowledged(), 1300u);
}

TEST(ReadTransferTest, ExactMultipleEndsWithEmptyBlock) {
  PatternSource src(1024);
  ReadTransfer t(Opts(512, 1), &src, {});
  Wire w;
  t.Start(0, w.sink());
  Ack(t, w, 1);
  Ack(t, w, 2);
  ASSERT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1, 2, 3}));
  EXPECT_TRUE(std::get<DataPacket>(w.sent.back()).data.empty());
  Ack(t, w, 3);
  EXPECT_EQ(t.state(), ReadTransfer::State::kComplete);
}

TEST(ReadTransferTest, EmptyFileIsOneEmptyBlock) {
  PatternSource src(0);
  ReadTransfer t(Opts(512, 4), &src, {});
  Wire w;
  t.Start(0, w.sink());
  ASSERT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1}));
  Ack(t, w, 1);
  EXPECT_EQ(t.state(), ReadTransfer::State::kComplete);
}

TEST(ReadTransferTest, OackWaitsForAckZero) {
  PatternSource src(100);
  ReadTransfer t(Opts(1468, 1, true), &src, {});
  Wire w;
  t.Start(0, w.sink());
  ASSERT_EQ(w.sent.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<OackPacket>(w.sent[0]));
  w.Clear();
  Ack(t, w, 1);  // not an answer to OACK
  EXPECT_TRUE(w.sent.empty());
  Ack(t, w, 0);
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1}));
}

TEST(ReadTransferTest, ErrorAfterOackIsTheTsizeProbe) {
  PatternSource src(100);
  ReadTransfer t(Opts(1468, 4, true), &src, {});
  Wire w;
  t.Start(0, w.sink());
  t.OnDatagram(EncodeError(ErrorCode::kOptionRefused, "probe"), 0, w.sink());
  EXPECT_EQ(t.state(), ReadTransfer::State::kClientError);
  EXPECT_TRUE(w.DataBlocks().empty());
  // A 2-byte ERROR also ends it.
  ReadTransfer t2(Opts(1468, 4, true), &src, {});
  t2.Start(0, w.sink());
  const uint8_t two[] = {0, 5};
  t2.OnDatagram(two, 0, w.sink());
  EXPECT_EQ(t2.state(), ReadTransfer::State::kClientError);
}

TEST(ReadTransferTest, WindowOfFourAndGapRecovery) {
  PatternSource src(512 * 10 + 1);  // 11 blocks
  ReadTransfer t(Opts(512, 4), &src, {});
  Wire w;
  t.Start(0, w.sink());
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1, 2, 3, 4}));
  w.Clear();
  Ack(t, w, 4);
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{5, 6, 7, 8}));
  w.Clear();
  // RFC 7440 §4: client lost 7, acknowledges 6: resume at 7.
  Ack(t, w, 6);
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{7, 8, 9, 10}));
  EXPECT_EQ(t.retransmissions(), 2u);
  w.Clear();
  Ack(t, w, 10);
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{11}));
  Ack(t, w, 11);
  EXPECT_EQ(t.state(), ReadTransfer::State::kComplete);
}

TEST(ReadTransferTest, DuplicateAckNeverTriggersASend) {
  PatternSource src(512 * 5);
  ReadTransfer t(Opts(512, 1), &src, {});
  Wire w;
  t.Start(0, w.sink());
  Ack(t, w, 1);
  w.Clear();
  for (int i = 0; i < 5; ++i) Ack(t, w, 1);  // Sorcerer's Apprentice: the DATA 2 already went out
  EXPECT_TRUE(w.sent.empty());
  EXPECT_EQ(t.duplicate_acks(), 5u);
  Ack(t, w, 2);
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{3}));
}

TEST(ReadTransferTest, AckOutsideTheWindowIsIgnored) {
  PatternSource src(512 * 20);
  ReadTransfer t(Opts(512, 4), &src, {});
  Wire w;
  t.Start(0, w.sink());
  w.Clear();
  Ack(t, w, 9);      // never sent
  Ack(t, w, 60000);  // far away
  EXPECT_TRUE(w.sent.empty());
  EXPECT_EQ(t.bytes_acknowledged(), 0u);
}

TEST(ReadTransferTest, TimeoutRetransmitsWithBackoffThenGivesUp) {
  PatternSource src(512 * 20);
  RetransmitPolicy policy{100, 400, 3};
  ReadTransfer t(Opts(512, 2), &src, policy);
  Wire w;
  t.Start(0, w.sink());
  EXPECT_EQ(t.deadline_ms(), 100);
  w.Clear();
  t.OnDeadline(50, w.sink());  // early: nothing
  EXPECT_TRUE(w.sent.empty());
  t.OnDeadline(100, w.sink());
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1, 2}));
  EXPECT_EQ(t.deadline_ms(), 300);  // 100 + 200
  t.OnDeadline(300, w.sink());
  EXPECT_EQ(t.deadline_ms(), 700);  // capped at 400
  t.OnDeadline(700, w.sink());
  EXPECT_EQ(t.deadline_ms(), 1100);
  EXPECT_EQ(t.state(), ReadTransfer::State::kSending);
  t.OnDeadline(1100, w.sink());
  EXPECT_EQ(t.state(), ReadTransfer::State::kTimedOut);
}

TEST(ReadTransferTest, ProgressResetsTheBackoff) {
  PatternSource src(512 * 20);
  ReadTransfer t(Opts(512, 1), &src, RetransmitPolicy{100, 800, 3});
  Wire w;
  t.Start(0, w.sink());
  t.OnDeadline(100, w.sink());
  t.OnDeadline(300, w.sink());
  Ack(t, w, 1, 350);
  EXPECT_EQ(t.deadline_ms(), 450);
}

TEST(ReadTransferTest, NegotiatedTimeoutDrivesTheTimer) {
  PatternSource src(10);
  NegotiatedOptions o = Opts(512, 1, true);
  o.timeout_seconds = 3;
  ReadTransfer t(o, &src, RetransmitPolicy{100, 400, 3});
  Wire w;
  t.Start(0, w.sink());
  EXPECT_EQ(t.deadline_ms(), 3000);
  w.Clear();
  t.OnDeadline(3000, w.sink());
  ASSERT_EQ(w.sent.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<OackPacket>(w.sent[0]));  // OACK is what gets resent
}

TEST(ReadTransferTest, BlockNumbersRollOverPast65535) {
  const uint64_t blocks = 70000;  // 512-byte blocks: > 32 MiB
  PatternSource src(blocks * 512 - 100);
  ReadTransfer t(Opts(512, 1), &src, {});
  Wire w;
  t.Start(0, w.sink());
  uint64_t verified = 0;
  for (uint64_t b = 1; b <= blocks; ++b) {
    ASSERT_EQ(w.sent.size(), 1u) << b;
    const auto& d = std::get<DataPacket>(w.sent[0]);
    ASSERT_EQ(d.block, static_cast<uint16_t>(b & 0xffff));
    if (b == 65535 || b == 65536 || b == 65537) {
      EXPECT_EQ(d.data[0], PatternSource::Byte((b - 1) * 512));
      ++verified;
    }
    w.Clear();
    Ack(t, w, d.block);
  }
  EXPECT_EQ(verified, 3u);
  EXPECT_EQ(t.state(), ReadTransfer::State::kComplete);
  EXPECT_EQ(t.bytes_acknowledged(), blocks * 512 - 100);
}

TEST(ReadTransferTest, WindowAcrossTheRollover) {
  PatternSource src(uint64_t{65540} * 512);
  ReadTransfer t(Opts(512, 8), &src, {});
  Wire w;
  t.Start(0, w.sink());
  // Jump: acknowledge windows until block 65528.
  for (uint64_t acked = 8; acked <= 65528; acked += 8) {
    w.Clear();
    Ack(t, w, static_cast<uint16_t>(acked));
  }
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{65529, 65530, 65531, 65532, 65533, 65534, 65535, 0}));
  w.Clear();
  Ack(t, w, 0);  // acknowledges block 65536
  EXPECT_EQ(w.DataBlocks(), (std::vector<uint16_t>{1, 2, 3, 4, 5}));
  Ack(t, w, 5);
  EXPECT_EQ(t.state(), ReadTransfer::State::kComplete);
}

TEST(ReadTransferTest, GarbageAndStrayPacketsAreIgnored) {
  PatternSource src(100);
  ReadTransfer t(Opts(512, 1), &src, {});
  Wire w;
  t.Start(0, w.sink());
  w.Clear();
  const uint8_t junk[] = {0xde, 0xad};
  t.OnDatagram(junk, 0, w.sink());
  t.OnDatagram(EncodeData(1, std::vector<uint8_t>{1}), 0, w.sink());
  t.OnDatagram(EncodeRequest({Opcode::kRrq, "x", "octet", {}}), 0, w.sink());
  EXPECT_TRUE(w.sent.empty());
  EXPECT_EQ(t.state(), ReadTransfer::State::kSending);
}

}  // namespace
}  // namespace rackboot::bootd::tftp
