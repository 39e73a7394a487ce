#include "bootd/leases/journal_record.h"

#include <gtest/gtest.h>

#include "bootd/leases/crc32c.h"

namespace rackboot::bootd {
namespace {

Lease MakeLease(uint32_t ip, uint8_t mac_last, LeaseState state = LeaseState::kActive) {
  Lease lease;
  lease.ip = Ipv4Address(ip);
  lease.mac = MacAddress({0x52, 0x54, 0x00, 0x00, 0x00, mac_last});
  lease.client_id = std::string("\x01\x52\x54\x00\x00\x00", 6) + static_cast<char>(mac_last);
  lease.hostname = "node-" + std::to_string(mac_last);
  lease.expires_unix = 1'800'000'000 + mac_last;
  lease.state = state;
  return lease;
}

std::string Encode(const Lease& lease) {
  Result<std::string> rec = EncodeLeaseRecord(lease);
  EXPECT_TRUE(rec.ok());
  return rec.ok() ? *rec : std::string();
}

void ExpectSameLease(const Lease& a, const Lease& b) {
  EXPECT_EQ(a.ip, b.ip);
  EXPECT_EQ(a.mac, b.mac);
  EXPECT_EQ(a.client_id, b.client_id);
  EXPECT_EQ(a.hostname, b.hostname);
  EXPECT_EQ(a.expires_unix, b.expires_unix);
  EXPECT_EQ(a.state, b.state);
}

TEST(Crc32cTest, KnownVector) {
  // RFC 3720 §B.4: 32 bytes of zeros -> 0x8A9136AA; "123456789" -> 0xE3069283.
  EXPECT_EQ(Crc32c(0, std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(0, "123456789"), 0xE3069283u);
}

TEST(JournalRecordTest, RoundTripsEveryStateAndHeader) {
  std::string bytes = EncodeFileHeaderRecord({JournalFileKind::kLog, 42});
  std::vector<Lease> leases = {MakeLease(0x0A000001, 1), MakeLease(0x0A000002, 2, LeaseState::kReleased),
                               MakeLease(0x0A000003, 3, LeaseState::kDeclined)};
  leases[0].expires_unix = -5;  // negative times survive
  leases[1].client_id.clear();
  leases[1].hostname = std::string(255, 'h');
  for (const Lease& l : leases) bytes += Encode(l);

  const JournalScan scan = ScanJournal(bytes);
  EXPECT_EQ(scan.corrupt_records, 0u);
  EXPECT_EQ(scan.torn_tail_bytes, 0u);
  EXPECT_EQ(scan.valid_end, bytes.size());
  ASSERT_EQ(scan.records.size(), 4u);
  const auto header = FirstHeader(scan);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->kind, JournalFileKind::kLog);
  EXPECT_EQ(header->generation, 42u);
  for (size_t i = 0; i < leases.size(); ++i) ExpectSameLease(scan.records[i + 1].lease, leases[i]);
}

TEST(JournalRecordTest, RejectsOverlongFields) {
  Lease lease = MakeLease(1, 1);
  lease.client_id = std::string(256, 'c');
  EXPECT_FALSE(EncodeLeaseRecord(lease).ok());
  lease.client_id = "x";
  lease.hostname = std::string(256, 'h');
  EXPECT_FALSE(EncodeLeaseRecord(lease).ok());
}

TEST(JournalRecordTest, CorruptRecordInTheMiddleIsSkippedAndCounted) {
  const std::string a = Encode(MakeLease(1, 1));
  std::string b = Encode(MakeLease(2, 2));
  const std::string c = Encode(MakeLease(3, 3));
  b[kJournalFrameSize + 5] ^= 0x40;  // flip a payload bit: CRC mismatch
  const JournalScan scan = ScanJournal(a + b + c);
  EXPECT_EQ(scan.corrupt_records, 1u);
  EXPECT_EQ(scan.torn_tail_bytes, 0u);
  ASSERT_EQ(scan.records.size(), 2u);
  EXPECT_EQ(scan.records[0].lease.ip, Ipv4Address(1));
  EXPECT_EQ(scan.records[1].lease.ip, Ipv4Address(3));
}

TEST(JournalRecordTest, DamagedLengthFieldIsCaughtAndResynchronised) {
  const std::string a = Encode(MakeLease(1, 1));
  std::string b = Encode(MakeLease(2, 2));
  const std::string c = Encode(MakeLease(3, 3));
  b[7] = static_cast<char>(b[7] - 1);  // length one short: CRC covers the length, so it fails
  std::string garbage = "garbage between records, including RBL and RBLJ fragments";
  const JournalScan scan = ScanJournal(a + b + garbage + c);
  EXPECT_EQ(scan.corrupt_records, 1u);  // one damaged region
  ASSERT_EQ(scan.records.size(), 2u);
  EXPECT_EQ(scan.records[1].lease.ip, Ipv4Address(3));
}

TEST(JournalRecordTest, TornTailIsReportedNotCorrupt) {
  const std::string a = Encode(MakeLease(1, 1));
  const std::string b = Encode(MakeLease(2, 2));
  for (size_t cut = 1; cut < b.size(); ++cut) {
    const JournalScan scan = ScanJournal(a + b.substr(0, cut));
    EXPECT_EQ(scan.corrupt_records, 0u) << cut;
    EXPECT_EQ(scan.torn_tail_bytes, cut) << cut;
    EXPECT_EQ(scan.valid_end, a.size()) << cut;
    ASSERT_EQ(scan.records.size(), 1u) << cut;
  }
}

TEST(JournalRecordTest, BadCrcOnLastRecordIsATornTail) {
  const std::string a = Encode(MakeLease(1, 1));
  std::string b = Encode(MakeLease(2, 2));
  b[9] ^= 0x01;  // the stored CRC itself
  const JournalScan scan = ScanJournal(a + b);
  EXPECT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(scan.torn_tail_bytes, b.size());
  EXPECT_EQ(scan.corrupt_records, 0u);
}

TEST(JournalRecordTest, IntactRecordOfUnknownTypeIsSkippedAndCounted) {
  // Build a correctly framed record of type 99 by re-framing a header record.
  std::string rec = EncodeFileHeaderRecord({JournalFileKind::kLog, 1});
  std::string payload = rec.substr(kJournalFrameSize);
  payload[0] = 99;
  std::string crc_input = rec.substr(4, 4) + payload;
  const uint32_t crc = Crc32c(0, crc_input);
  std::string framed = rec.substr(0, 8);
  for (int shift = 24; shift >= 0; shift -= 8) framed.push_back(static_cast<char>((crc >> shift) & 0xFF));
  framed += payload;
  const JournalScan scan = ScanJournal(framed + Encode(MakeLease(7, 7)));
  EXPECT_EQ(scan.unknown_records, 1u);
  EXPECT_EQ(scan.corrupt_records, 0u);
  ASSERT_EQ(scan.records.size(), 1u);
  EXPECT_EQ(scan.records[0].lease.ip, Ipv4Address(7));
}

TEST(JournalRecordTest, EmptyAndZeroFilledInputs) {
  EXPECT_TRUE(ScanJournal("").records.empty());
  const JournalScan zeros = ScanJournal(std::string(4096, '\0'));
  EXPECT_TRUE(zeros.records.empty());
  EXPECT_EQ(zeros.torn_tail_bytes, 4096u);
  EXPECT_FALSE(FirstHeader(zeros).has_value());
}

}  // namespace
}  // namespace rackboot::bootd
