#pragma once
// JournalLeaseStore: durable leases in a write-ahead append log.
//
// Files, for options.path = P (Kea memfile + LFC, done in-process):
//   P        the log: a header record, then one record per committed lease,
//            each appended with one write(2)
//   P.snap   the live set (one record per IP) covering every log of
//            generation <= its own; written to P.snap.tmp, fsynced, renamed
//   P.prev   the previous log while a compaction runs; removed after
// Open replays P.snap, then P.prev and P unless the snapshot covers them.
// Damaged or torn records are skipped and counted (stats()), never fatal.
//
// Commit returns once the lease is durable under the fsync policy; with
// kGroup concurrent callers share fdatasyncs (a caller not covered by a
// running sync syncs everything appended so far; covered callers wait).
//
// Compaction: when the log holds more than compact_ratio x live records, a
// background thread rotates P to P.prev (after syncing it), starts a new P,
// writes the snapshot of the in-memory live set and deletes P.prev. Every
// crash point leaves files that replay to the committed state.
//
// kOffered leases are kept in memory only (lease.h: not durable).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bootd/leases/fsync_policy.h"
#include "bootd/leases/lease_index.h"
#include "bootd/leases/lease_store.h"
#include "common/result.h"

namespace rackboot::bootd {

class AppendOnlyFile;

struct JournalOptions {
  std::string path;
  FsyncPolicy fsync = FsyncPolicy::kGroup;
  double compact_ratio = 4.0;         // compact when log records > ratio x live leases
  size_t compact_min_records = 4096;  // ...and the log holds at least this many
  bool background_compaction = true;  // false: only at Open and CompactNow()
  int group_max_inflight_syncs = 2;   // kGroup: fdatasyncs running at once (1 = classic leader/follower)
  // Grow the log in zeroed, synced steps of this size so per-commit fdatasync
  // need not also persist a new file size (0 = off). On this project's VM
  // the gain was lost in noise; kept as an option for real disks.
  size_t preallocate_bytes = 0;
};

struct JournalStats {
  uint64_t replayed_records = 0;  // lease records applied at Open
  uint64_t corrupt_records = 0;   // damaged records skipped at Open
  uint64_t unknown_records = 0;   // intact records of an unknown type skipped at Open
  uint64_t torn_tail_bytes = 0;   // cut from the end of the log at Open
  uint64_t stale_files = 0;       // logs at Open already covered by the snapshot
  uint64_t commits = 0;           // durable lease records appended since Open
  uint64_t syncs = 0;             // fdatasync calls on the log since Open
  uint64_t compactions = 0;       // snapshots written since Open (including at Open)
  uint64_t log_records = 0;       // lease records in the current log
};

class JournalLeaseStore final : public LeaseStore {
 public:
  static Result<std::unique_ptr<JournalLeaseStore>> Open(const JournalOptions& options);
  ~JournalLeaseStore() override;
  JournalLeaseStore(const JournalLeaseStore&) = delete;
  JournalLeaseStore& operator=(const JournalLeaseStore&) = delete;

  Status Commit(const Lease& lease) override;
  Status CommitBatch(const std::vector<Lease>& leases) override;
  Status CommitDeferred(const Lease& lease) override;
  Status Flush() override;

  std::optional<Lease> FindByIp(Ipv4Address ip) const override;
  std::optional<Lease> FindByMac(const MacAddress& mac) const override;
  std::optional<Lease> FindByClientId(const std::string& client_id) const override;
  void ForEach(const std::function<void(const Lease&)>& fn) const override;
  size_t size() const override;

  JournalStats stats() const;
  // Rotates and snapshots now (what the background thread does).
  Status CompactNow();

 private:
  struct Log;
  explicit JournalLeaseStore(JournalOptions options);

  Status Replay();
  Status CompactAtOpen(uint64_t max_generation);
  Status Append(const std::vector<Lease>& leases, uint64_t* last_seq, std::shared_ptr<Log>* log);
  Status WaitDurable(uint64_t seq, const std::shared_ptr<Log>& log);
  Status GroupSync(uint64_t seq);
  void RaiseSynced(uint64_t seq);
  void Fail(const std::string& why);  // requires mu_
  bool CompactionDue() const;         // requires mu_
  Status Compact();
  void CompactionLoop();
  std::string SnapshotPath() const { return options_.path + ".snap"; }
  std::string PrevPath() const { return options_.path + ".prev"; }

  const JournalOptions options_;

  mutable std::mutex mu_;  // everything below up to the group-commit state
  LeaseIndex durable_;     // what the journal holds
  LeaseIndex offered_;     // kOffered overlay, memory only
  std::shared_ptr<Log> log_;
  uint64_t appended_seq_ = 0;  // seq of the last record appended (or offered)
  uint64_t deferred_seq_ = 0;  // last record appended by CommitDeferred, not yet flushed
  std::shared_ptr<Log> deferred_log_;
  std::string failure_;  // set when a write or sync failed: commits are refused
  bool compaction_requested_ = false;
  bool compaction_blocked_ = false;  // an unfinished compaction waits for the next Open
  bool stopping_ = false;
  JournalStats stats_;
  std::condition_variable compaction_cv_;

  std::mutex compaction_mu_;  // one compaction at a time

  std::mutex sync_mu_;  // group commit
  std::condition_variable sync_cv_;
  uint64_t inflight_target_ = 0;  // highest seq a started sync covers
  int inflight_syncs_ = 0;
  bool sync_failed_ = false;
  std::atomic<uint64_t> synced_seq_{0};  // every record with seq <= this is durable
  std::atomic<uint64_t> syncs_{0};

  std::thread compactor_;
};

}  // namespace rackboot::bootd
