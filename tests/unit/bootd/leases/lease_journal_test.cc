#include "bootd/leases/lease_journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "bootd/leases/journal_record.h"

namespace rackboot::bootd {
namespace {

namespace fs = std::filesystem;

Lease MakeLease(uint32_t ip, uint32_t mac_id, LeaseState state = LeaseState::kActive) {
  Lease lease;
  lease.ip = Ipv4Address(0x0A000000 | ip);
  lease.mac = MacAddress({2, 0, static_cast<uint8_t>(mac_id >> 24), static_cast<uint8_t>(mac_id >> 16),
                          static_cast<uint8_t>(mac_id >> 8), static_cast<uint8_t>(mac_id)});
  lease.client_id = "cid-" + std::to_string(mac_id);
  lease.hostname = "host-" + std::to_string(mac_id);
  lease.expires_unix = 1'900'000'000 + ip;
  lease.state = state;
  return lease;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}
// What the store reports as torn: bytes after the last intact record, up to
// the last non-zero byte (trailing zeros are preallocated free space).
size_t NonZeroTail(const std::string& bytes, size_t valid_end) {
  size_t end = bytes.size();
  while (end > valid_end && bytes[end - 1] == '\0') --end;
  return end - valid_end;
}

class LeaseJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "rbt-leases-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/leases.journal";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<JournalLeaseStore> OpenStore(FsyncPolicy policy = FsyncPolicy::kAlways, size_t min_records = 4096,
                                               bool background = false, size_t preallocate = 0) {
    JournalOptions options;
    options.path = path_;
    options.fsync = policy;
    options.compact_ratio = 2.0;
    options.compact_min_records = min_records;
    options.background_compaction = background;
    options.preallocate_bytes = preallocate;
    Result<std::unique_ptr<JournalLeaseStore>> store = JournalLeaseStore::Open(options);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string dir_;
  std::string path_;
};

void ExpectLease(const JournalLeaseStore& store, const Lease& want) {
  std::optional<Lease> got = store.FindByIp(want.ip);
  ASSERT_TRUE(got.has_value()) << want.ip.ToString();
  EXPECT_EQ(got->mac, want.mac);
  EXPECT_EQ(got->client_id, want.client_id);
  EXPECT_EQ(got->hostname, want.hostname);
  EXPECT_EQ(got->expires_unix, want.expires_unix);
  EXPECT_EQ(got->state, want.state);
}

TEST_F(LeaseJournalTest, RoundTripAcrossReopen) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    for (uint32_t i = 1; i <= 50; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
    ASSERT_TRUE(store->CommitBatch({MakeLease(60, 60), MakeLease(61, 61, LeaseState::kDeclined)}).ok());
    EXPECT_EQ(store->stats().commits, 52u);
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->size(), 52u);
  EXPECT_EQ(store->stats().replayed_records, 52u);
  EXPECT_EQ(store->stats().corrupt_records, 0u);
  for (uint32_t i = 1; i <= 50; ++i) ExpectLease(*store, MakeLease(i, i));
  ExpectLease(*store, MakeLease(61, 61, LeaseState::kDeclined));
  ASSERT_TRUE(store->FindByMac(MakeLease(7, 7).mac).has_value());
  EXPECT_EQ(store->FindByMac(MakeLease(7, 7).mac)->ip, MakeLease(7, 7).ip);
  ASSERT_TRUE(store->FindByClientId("cid-9").has_value());
  EXPECT_EQ(store->FindByClientId("cid-9")->ip, MakeLease(9, 9).ip);
}

// The DHCP worker's batch: deferred commits are visible at once, one Flush
// makes them all durable with a single sync, and a Flush without deferred
// commits syncs nothing.
TEST_F(LeaseJournalTest, DeferredCommitsShareOneFlush) {
  for (FsyncPolicy policy : {FsyncPolicy::kAlways, FsyncPolicy::kGroup}) {
    SCOPED_TRACE(std::string(FsyncPolicyName(policy)));
    {
      auto store = OpenStore(policy);
      ASSERT_TRUE(store);
      const uint64_t syncs_before = store->stats().syncs;
      for (uint32_t i = 1; i <= 20; ++i) ASSERT_TRUE(store->CommitDeferred(MakeLease(i, i)).ok());
      ExpectLease(*store, MakeLease(20, 20));  // visible before the flush
      EXPECT_EQ(store->stats().syncs, syncs_before);
      ASSERT_TRUE(store->Flush().ok());
      EXPECT_EQ(store->stats().syncs, syncs_before + 1);
      ASSERT_TRUE(store->Flush().ok());  // nothing pending: no sync
      EXPECT_EQ(store->stats().syncs, syncs_before + 1);
    }
    auto store = OpenStore(policy);
    ASSERT_TRUE(store);
    for (uint32_t i = 1; i <= 20; ++i) ExpectLease(*store, MakeLease(i, i));
    std::filesystem::remove(path_);
    std::filesystem::remove(path_ + ".snap");
  }
}

TEST_F(LeaseJournalTest, ReplaceByIpAndReleaseSurviveReopen) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(MakeLease(5, 100)).ok());
    ASSERT_TRUE(store->Commit(MakeLease(5, 200)).ok());  // same IP, new client
    ASSERT_TRUE(store->Commit(MakeLease(6, 300)).ok());
    ASSERT_TRUE(store->Commit(MakeLease(6, 300, LeaseState::kReleased)).ok());
    EXPECT_EQ(store->size(), 2u);
  }
  auto store = OpenStore();
  EXPECT_EQ(store->size(), 2u);
  ExpectLease(*store, MakeLease(5, 200));
  EXPECT_FALSE(store->FindByMac(MakeLease(5, 100).mac).has_value());
  // Released: free again, and still found as the client's previous address.
  ASSERT_TRUE(store->FindByMac(MakeLease(6, 300).mac).has_value());
  EXPECT_EQ(store->FindByMac(MakeLease(6, 300).mac)->state, LeaseState::kReleased);
  ExpectLease(*store, MakeLease(6, 300, LeaseState::kReleased));
}

TEST_F(LeaseJournalTest, OffersAreNotDurable) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(MakeLease(1, 1, LeaseState::kReleased)).ok());
    ASSERT_TRUE(store->Commit(MakeLease(1, 2, LeaseState::kOffered)).ok());
    EXPECT_EQ(store->FindByIp(MakeLease(1, 2).ip)->state, LeaseState::kOffered);
    EXPECT_EQ(store->FindByMac(MakeLease(1, 2).mac)->state, LeaseState::kOffered);
    EXPECT_EQ(store->stats().commits, 1u);
  }
  auto store = OpenStore();
  ExpectLease(*store, MakeLease(1, 1, LeaseState::kReleased));
}

TEST_F(LeaseJournalTest, CorruptRowInTheMiddleIsSkippedAndCounted) {
  {
    auto store = OpenStore();
    for (uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
  }
  std::string bytes = ReadAll(path_);
  const JournalScan before = ScanJournal(bytes);
  ASSERT_EQ(before.records.size(), 4u);                             // header + 3 leases
  bytes[before.records[2].offset + kJournalFrameSize + 3] ^= 0x5A;  // damage lease 2
  WriteAll(path_, bytes);

  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->stats().corrupt_records, 1u);
  EXPECT_EQ(store->size(), 2u);
  ExpectLease(*store, MakeLease(1, 1));
  ExpectLease(*store, MakeLease(3, 3));
  EXPECT_FALSE(store->FindByIp(MakeLease(2, 2).ip).has_value());
  // The log stays usable after the damaged row.
  ASSERT_TRUE(store->Commit(MakeLease(4, 4)).ok());
  store.reset();
  store = OpenStore();
  EXPECT_EQ(store->size(), 3u);
  ExpectLease(*store, MakeLease(4, 4));
}

TEST_F(LeaseJournalTest, BadCrcIsSkipped) {
  {
    auto store = OpenStore();
    for (uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
  }
  std::string bytes = ReadAll(path_);
  const JournalScan before = ScanJournal(bytes);
  bytes[before.records[1].offset + 8] ^= 0x01;  // lease 1's stored CRC
  WriteAll(path_, bytes);
  auto store = OpenStore();
  EXPECT_EQ(store->stats().corrupt_records, 1u);
  EXPECT_FALSE(store->FindByIp(MakeLease(1, 1).ip).has_value());
  ExpectLease(*store, MakeLease(2, 2));
}

TEST_F(LeaseJournalTest, TornTailIsCutAndAppendingContinues) {
  {
    auto store = OpenStore();
    for (uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
  }
  const std::string intact = ReadAll(path_);
  Result<std::string> extra = EncodeLeaseRecord(MakeLease(9, 9));
  ASSERT_TRUE(extra.ok());
  WriteAll(path_, intact + extra->substr(0, extra->size() / 2));  // a write cut by a crash
  {
    auto store = OpenStore();
    EXPECT_EQ(store->stats().torn_tail_bytes, NonZeroTail(extra->substr(0, extra->size() / 2), 0));
    EXPECT_GT(store->stats().torn_tail_bytes, 0u);
    EXPECT_EQ(store->stats().corrupt_records, 0u);
    EXPECT_EQ(store->size(), 3u);
    EXPECT_EQ(ReadAll(path_), intact);  // cut back to the last intact record
    ASSERT_TRUE(store->Commit(MakeLease(4, 4)).ok());
  }
  auto store = OpenStore();
  EXPECT_EQ(store->stats().torn_tail_bytes, 0u);
  EXPECT_EQ(store->stats().corrupt_records, 0u);
  EXPECT_EQ(store->size(), 4u);
}

// A crash can stop the log at any byte. Every prefix must open, replay
// exactly the records that are complete in it, and count the rest as torn.
TEST_F(LeaseJournalTest, LogCutAtEveryByteReplaysItsCompleteRecords) {
  constexpr uint32_t kLeases = 4;
  {
    auto store = OpenStore(FsyncPolicy::kNever);
    for (uint32_t i = 1; i <= kLeases; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
  }
  const std::string full = ReadAll(path_);
  const JournalScan scan = ScanJournal(full);
  ASSERT_EQ(scan.records.size(), kLeases + 1);
  for (size_t cut = 0; cut <= full.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    WriteAll(path_, full.substr(0, cut));
    size_t complete = 0;  // lease records wholly inside the prefix
    size_t valid_end = 0;
    for (size_t r = 0; r < scan.records.size(); ++r) {
      const size_t end = r + 1 < scan.records.size() ? scan.records[r + 1].offset : full.size();
      if (end > cut) break;
      valid_end = end;
      if (r > 0) ++complete;
    }
    auto store = OpenStore(FsyncPolicy::kNever);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->size(), complete);
    EXPECT_EQ(store->stats().corrupt_records, 0u);
    EXPECT_EQ(store->stats().torn_tail_bytes, NonZeroTail(full.substr(0, cut), valid_end));
    for (uint32_t i = 1; i <= complete; ++i) ExpectLease(*store, MakeLease(i, i));
    ASSERT_TRUE(store->Commit(MakeLease(100, 100)).ok());  // and appending continues cleanly
    store.reset();
    store = OpenStore(FsyncPolicy::kNever);
    EXPECT_EQ(store->size(), complete + 1);
    EXPECT_EQ(store->stats().torn_tail_bytes, 0u);
  }
}

TEST_F(LeaseJournalTest, DamagedSnapshotRecordIsSkippedAndCounted) {
  {
    auto store = OpenStore();
    for (uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
    ASSERT_TRUE(store->CompactNow().ok());
  }
  std::string snap = ReadAll(path_ + ".snap");
  const JournalScan scan = ScanJournal(snap);
  ASSERT_EQ(scan.records.size(), 4u);
  snap[scan.records[2].offset + kJournalFrameSize + 2] ^= 0x10;
  WriteAll(path_ + ".snap", snap);
  auto store = OpenStore();
  EXPECT_EQ(store->stats().corrupt_records, 1u);
  EXPECT_EQ(store->size(), 2u);
  // The damaged snapshot was rewritten: the next open is clean.
  store.reset();
  store = OpenStore();
  EXPECT_EQ(store->stats().corrupt_records, 0u);
  EXPECT_EQ(store->size(), 2u);
}

TEST_F(LeaseJournalTest, PreallocatedZerosAreFreeSpaceNotTornRecords) {
  constexpr size_t kStep = 4096;
  {
    auto store = OpenStore(FsyncPolicy::kAlways, 4096, false, kStep);
    for (uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
    EXPECT_EQ(fs::file_size(path_), kStep);  // grown by one zeroed step
  }
  {
    auto store = OpenStore(FsyncPolicy::kAlways, 4096, false, kStep);
    EXPECT_EQ(store->stats().torn_tail_bytes, 0u);
    EXPECT_EQ(store->size(), 3u);
    // New records continue after the last one, inside the zeroed space, and
    // cross into a second step.
    for (uint32_t i = 4; i <= 120; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
    EXPECT_EQ(fs::file_size(path_) % kStep, 0u);
    EXPECT_GT(fs::file_size(path_), kStep);
  }
  auto store = OpenStore(FsyncPolicy::kAlways, 4096, false, kStep);
  EXPECT_EQ(store->size(), 120u);
  EXPECT_EQ(store->stats().corrupt_records, 0u);
  EXPECT_EQ(store->stats().torn_tail_bytes, 0u);
  for (uint32_t i = 1; i <= 120; ++i) ExpectLease(*store, MakeLease(i, i));
}

TEST_F(LeaseJournalTest, TornRecordInsidePreallocatedSpaceIsCut) {
  constexpr size_t kStep = 4096;
  {
    auto store = OpenStore(FsyncPolicy::kAlways, 4096, false, kStep);
    for (uint32_t i = 1; i <= 3; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
  }
  std::string bytes = ReadAll(path_);
  const JournalScan scan = ScanJournal(bytes);
  const std::string partial = EncodeLeaseRecord(MakeLease(9, 9))->substr(0, 20);
  bytes.replace(scan.valid_end, partial.size(), partial);  // a write cut short, zeros after it
  WriteAll(path_, bytes);
  {
    auto store = OpenStore(FsyncPolicy::kAlways, 4096, false, kStep);
    EXPECT_EQ(store->stats().torn_tail_bytes, NonZeroTail(partial, 0));
    EXPECT_EQ(store->size(), 3u);
    ASSERT_TRUE(store->Commit(MakeLease(4, 4)).ok());
  }
  auto store = OpenStore(FsyncPolicy::kAlways, 4096, false, kStep);
  EXPECT_EQ(store->stats().torn_tail_bytes, 0u);
  EXPECT_EQ(store->stats().corrupt_records, 0u);
  EXPECT_EQ(store->size(), 4u);
  EXPECT_FALSE(store->FindByIp(MakeLease(9, 9).ip).has_value());
}

TEST_F(LeaseJournalTest, CompactionPreservesLiveSet) {
  auto store = OpenStore(FsyncPolicy::kGroup, /*min_records=*/1);
  std::vector<Lease> expected;
  for (uint32_t round = 0; round < 5; ++round) {
    for (uint32_t ip = 1; ip <= 40; ++ip) {
      Lease lease = MakeLease(ip, round * 1000 + ip, ip % 7 == 0 ? LeaseState::kReleased : LeaseState::kActive);
      ASSERT_TRUE(store->Commit(lease).ok());
      if (round == 4) expected.push_back(lease);
    }
  }
  const size_t log_before = fs::file_size(path_);
  ASSERT_TRUE(store->CompactNow().ok());
  EXPECT_LT(fs::file_size(path_), log_before);
  EXPECT_TRUE(fs::exists(path_ + ".snap"));
  EXPECT_FALSE(fs::exists(path_ + ".prev"));
  ASSERT_TRUE(store->Commit(MakeLease(41, 41)).ok());
  expected.push_back(MakeLease(41, 41));
  EXPECT_EQ(store->stats().compactions, 1u);
  store.reset();

  store = OpenStore();
  EXPECT_EQ(store->size(), expected.size());
  for (const Lease& lease : expected) ExpectLease(*store, lease);
  EXPECT_EQ(store->stats().stale_files, 0u);
  EXPECT_EQ(store->stats().replayed_records, expected.size());
  // The snapshot keeps commit order, so "latest lease of a MAC" survives.
  ASSERT_TRUE(store->Commit(MakeLease(50, 41)).ok());
  store.reset();
  store = OpenStore();
  EXPECT_EQ(store->FindByMac(MakeLease(41, 41).mac)->ip, MakeLease(50, 41).ip);
}

TEST_F(LeaseJournalTest, BackgroundCompactionKeepsEveryLease) {
  std::vector<Lease> expected;
  {
    auto store = OpenStore(FsyncPolicy::kGroup, /*min_records=*/16, /*background=*/true, /*preallocate=*/4096);
    for (uint32_t round = 0; round < 20; ++round) {
      for (uint32_t ip = 1; ip <= 30; ++ip) ASSERT_TRUE(store->Commit(MakeLease(ip, round * 100 + ip)).ok());
    }
    for (uint32_t ip = 1; ip <= 30; ++ip) expected.push_back(MakeLease(ip, 19 * 100 + ip));
  }
  auto store = OpenStore();
  EXPECT_EQ(store->size(), 30u);
  for (const Lease& lease : expected) ExpectLease(*store, lease);
  EXPECT_EQ(store->stats().corrupt_records, 0u);
}

TEST_F(LeaseJournalTest, CompactionAtOpenWhenTheLogIsLong) {
  {
    auto store = OpenStore(FsyncPolicy::kNever);
    for (uint32_t round = 0; round < 10; ++round) ASSERT_TRUE(store->Commit(MakeLease(1, round)).ok());
  }
  auto store = OpenStore(FsyncPolicy::kNever, /*min_records=*/4);
  EXPECT_EQ(store->stats().compactions, 1u);
  EXPECT_EQ(store->stats().log_records, 0u);
  ExpectLease(*store, MakeLease(1, 9));
  store.reset();
  store = OpenStore(FsyncPolicy::kNever, /*min_records=*/4);
  EXPECT_EQ(store->stats().compactions, 0u);
  EXPECT_EQ(store->stats().replayed_records, 1u);
}

// The files a compaction leaves when killed after rotating the log but
// before writing the snapshot: P.prev (older generation) and a new P.
TEST_F(LeaseJournalTest, InterruptedCompactionIsReplayedAndFinished) {
  {
    auto store = OpenStore();
    for (uint32_t i = 1; i <= 5; ++i) ASSERT_TRUE(store->Commit(MakeLease(i, i)).ok());
  }
  fs::rename(path_, path_ + ".prev");
  {
    std::string header = EncodeFileHeaderRecord({JournalFileKind::kLog, 1'000});
    WriteAll(path_, header + *EncodeLeaseRecord(MakeLease(2, 22)) + *EncodeLeaseRecord(MakeLease(6, 6)));
  }
  WriteAll(path_ + ".snap.tmp", "half a snapshot");
  auto store = OpenStore();
  EXPECT_EQ(store->size(), 6u);
  ExpectLease(*store, MakeLease(2, 22));  // the newer log wins
  ExpectLease(*store, MakeLease(6, 6));
  EXPECT_FALSE(fs::exists(path_ + ".prev"));
  EXPECT_FALSE(fs::exists(path_ + ".snap.tmp"));
  store.reset();
  store = OpenStore();
  EXPECT_EQ(store->size(), 6u);
  EXPECT_EQ(store->stats().stale_files, 0u);
}

// Killed after the snapshot was renamed but before P.prev was removed: the
// old log is stale and must not be replayed over newer state.
TEST_F(LeaseJournalTest, StaleLogAfterSnapshotIsSkipped) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(MakeLease(1, 1)).ok());
  }
  const std::string old_log = ReadAll(path_);
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(MakeLease(1, 2, LeaseState::kReleased)).ok());
    ASSERT_TRUE(store->CompactNow().ok());
  }
  const JournalScan old_scan = ScanJournal(old_log);
  ASSERT_TRUE(FirstHeader(old_scan).has_value());
  WriteAll(path_ + ".prev", old_log);  // generation older than the snapshot's
  auto store = OpenStore();
  EXPECT_EQ(store->stats().stale_files, 1u);
  ExpectLease(*store, MakeLease(1, 2, LeaseState::kReleased));
  EXPECT_FALSE(fs::exists(path_ + ".prev"));
}

TEST_F(LeaseJournalTest, MissingLogWithSnapshotIsRecreated) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(MakeLease(1, 1)).ok());
    ASSERT_TRUE(store->CompactNow().ok());
    ASSERT_TRUE(store->Commit(MakeLease(2, 2)).ok());
  }
  fs::rename(path_, path_ + ".prev");  // killed between rotation and the new log
  auto store = OpenStore();
  EXPECT_EQ(store->size(), 2u);
  ASSERT_TRUE(store->Commit(MakeLease(3, 3)).ok());
  store.reset();
  store = OpenStore();
  EXPECT_EQ(store->size(), 3u);
}

TEST_F(LeaseJournalTest, GroupCommitFromEightThreadsIsDurable) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  {
    auto store = OpenStore(FsyncPolicy::kGroup, /*min_records=*/256, /*background=*/true, /*preallocate=*/8192);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const uint32_t n = static_cast<uint32_t>(t * kPerThread + i);
          if (!store->Commit(MakeLease(n % 500 + 1, n)).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    const JournalStats s = store->stats();
    EXPECT_EQ(s.commits, static_cast<uint64_t>(kThreads * kPerThread));
    EXPECT_GE(s.syncs, 1u);
    EXPECT_LE(s.syncs, s.commits + s.compactions);
  }
  auto store = OpenStore();
  EXPECT_EQ(store->size(), 500u);
  // Each IP holds the lease of the last commit to it; all of them came back.
  size_t present = 0;
  store->ForEach([&](const Lease& lease) {
    const uint32_t mac_id = (static_cast<uint32_t>(lease.mac.bytes()[4]) << 8) | lease.mac.bytes()[5];
    EXPECT_EQ(mac_id % 500 + 1, lease.ip.value() & 0xFFFF);
    ++present;
  });
  EXPECT_EQ(present, 500u);
}

TEST_F(LeaseJournalTest, EveryPolicyPersistsAcrossCleanReopen) {
  for (FsyncPolicy policy : {FsyncPolicy::kAlways, FsyncPolicy::kGroup, FsyncPolicy::kNever}) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    {
      auto store = OpenStore(policy);
      ASSERT_TRUE(store->Commit(MakeLease(1, 1)).ok());
      EXPECT_EQ(store->stats().syncs, policy == FsyncPolicy::kNever ? 0u : 1u);
    }
    auto store = OpenStore(policy);
    ExpectLease(*store, MakeLease(1, 1));
  }
}

TEST_F(LeaseJournalTest, RejectsBadOptionsAndOversizedLeases) {
  JournalOptions options;
  EXPECT_FALSE(JournalLeaseStore::Open(options).ok());
  options.path = path_;
  options.compact_ratio = 0.5;
  EXPECT_FALSE(JournalLeaseStore::Open(options).ok());
  auto store = OpenStore();
  Lease lease = MakeLease(1, 1);
  lease.hostname = std::string(300, 'h');
  EXPECT_FALSE(store->Commit(lease).ok());
  EXPECT_EQ(store->size(), 0u);
  EXPECT_TRUE(store->Commit(MakeLease(1, 1)).ok());  // the store keeps working
}

}  // namespace
}  // namespace rackboot::bootd

namespace rackboot::bootd {
namespace {

// The DHCP engine's sequence after a restart: lookups by client id and MAC
// for a client the journal has never seen, then offer, then ACK.
TEST(JournalLeaseStoreDhcpFlowTest, LookupsOfUnknownAndOfferedClients) {
  char dir[] = "/tmp/rb-journal-flow-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  JournalOptions options;
  options.path = std::string(dir) + "/leases.journal";
  options.fsync = FsyncPolicy::kNever;
  for (int round = 0; round < 2; ++round) {
    auto store = JournalLeaseStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    const std::string cid = std::string("\x01\x52\x54\x00\x00\x00\x01", 7);
    const MacAddress mac = *MacAddress::Parse("52:54:00:00:00:01");
    if (round == 0) {
      EXPECT_FALSE((*store)->FindByClientId(cid).has_value());
      EXPECT_FALSE((*store)->FindByMac(mac).has_value());
    }
    Lease offer;
    offer.ip = *Ipv4Address::Parse("10.0.0.10");
    offer.mac = mac;
    offer.client_id = cid;
    offer.state = LeaseState::kOffered;
    offer.expires_unix = 100;
    ASSERT_TRUE((*store)->Commit(offer).ok());
    ASSERT_TRUE((*store)->FindByClientId(cid).has_value());
    Lease ack = offer;
    ack.state = LeaseState::kActive;
    ASSERT_TRUE((*store)->Commit(ack).ok());
    auto found = (*store)->FindByClientId(cid);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->state, LeaseState::kActive);
    EXPECT_TRUE((*store)->FindByMac(mac).has_value());
    EXPECT_FALSE((*store)->FindByClientId("other").has_value());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rackboot::bootd
