#include "bootd/leases/lease_journal.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>

#include "bootd/leases/journal_files.h"
#include "bootd/leases/journal_record.h"
#include "common/log.h"

namespace rackboot::bootd {

struct JournalLeaseStore::Log {
  std::unique_ptr<AppendOnlyFile> file;
  uint64_t generation = 0;
};

namespace {

constexpr std::string_view kComponent = "leases";

std::string SnapshotBytes(uint64_t generation, const std::vector<Lease>& live) {
  std::string bytes = EncodeFileHeaderRecord({JournalFileKind::kSnapshot, generation});
  for (const Lease& lease : live) {
    // Every lease in the index was encoded once already, so it fits.
    Result<std::string> rec = EncodeLeaseRecord(lease);
    if (rec.ok()) bytes += *rec;
  }
  return bytes;
}

// An offer (memory only) outranks a durable lease that no longer holds an address.
bool HoldsAddress(const Lease& lease) {
  return lease.state == LeaseState::kActive || lease.state == LeaseState::kOffered;
}

// Bytes after the last intact record, not counting the zeros of
// preallocated space at the very end.
size_t TornBytes(const JournalScan& scan, std::string_view bytes) {
  size_t end = bytes.size();
  while (end > scan.valid_end && bytes[end - 1] == '\0') --end;
  return end - scan.valid_end;
}

}  // namespace

JournalLeaseStore::JournalLeaseStore(JournalOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<JournalLeaseStore>> JournalLeaseStore::Open(const JournalOptions& options) {
  if (options.path.empty()) return Error{"lease journal path is empty"};
  if (options.compact_ratio < 1.0) return Error{"lease journal compactRatio must be >= 1"};
  if (options.group_max_inflight_syncs < 1) return Error{"lease journal needs at least one sync in flight"};
  const std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Error{"create lease directory " + parent.string() + ": " + ec.message()};
  }
  std::unique_ptr<JournalLeaseStore> store(new JournalLeaseStore(options));
  if (Status st = store->Replay(); !st.ok()) return Error{st.message()};
  if (options.background_compaction) store->compactor_ = std::thread([s = store.get()] { s->CompactionLoop(); });
  const JournalStats s = store->stats();
  log::Info(kComponent, "lease journal opened",
            {{"path", options.path},
             {"fsync", FsyncPolicyName(options.fsync)},
             {"leases", store->size()},
             {"replayed", s.replayed_records},
             {"corrupt", s.corrupt_records},
             {"unknown", s.unknown_records},
             {"torn_tail_bytes", s.torn_tail_bytes}});
  return store;
}

JournalLeaseStore::~JournalLeaseStore() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  compaction_cv_.notify_all();
  if (compactor_.joinable()) compactor_.join();
}

Status JournalLeaseStore::Replay() {
  // Leftovers of an atomic write that did not reach its rename.
  for (const std::string& tmp : {SnapshotPath() + ".tmp", options_.path + ".tmp"}) {
    if (Status st = RemoveFile(tmp); !st.ok()) return st;
  }
  uint64_t seq = 0;
  uint64_t covered = 0;  // logs of generation <= covered are in the snapshot
  uint64_t max_generation = 0;
  bool must_compact = false;
  auto apply = [&](const JournalScan& scan, std::string_view bytes) {
    stats_.corrupt_records += scan.corrupt_records;
    stats_.unknown_records += scan.unknown_records;
    stats_.torn_tail_bytes += TornBytes(scan, bytes);
    uint64_t leases = 0;
    for (const JournalRecord& rec : scan.records) {
      if (rec.type != JournalRecordType::kLeaseV1) continue;
      durable_.Apply(rec.lease, ++seq);
      ++leases;
    }
    stats_.replayed_records += leases;
    return leases;
  };

  Result<std::optional<std::string>> snap = ReadFileIfExists(SnapshotPath());
  if (!snap.ok()) return snap.error();
  if (snap->has_value()) {
    const JournalScan scan = ScanJournal(**snap);
    const std::optional<JournalFileHeader> header = FirstHeader(scan);
    if (header && header->kind == JournalFileKind::kSnapshot) {
      covered = max_generation = header->generation;
    } else {
      ++stats_.corrupt_records;  // a snapshot without its header: use its records, trust no coverage
      must_compact = true;
    }
    apply(scan, **snap);
    if (scan.corrupt_records + scan.torn_tail_bytes > 0) must_compact = true;
  }

  std::optional<JournalScan> current;
  std::optional<JournalFileHeader> current_header;
  size_t current_torn = 0;
  for (const std::string& path : {PrevPath(), options_.path}) {
    Result<std::optional<std::string>> bytes = ReadFileIfExists(path);
    if (!bytes.ok()) return bytes.error();
    if (!bytes->has_value()) continue;
    JournalScan scan = ScanJournal(**bytes);
    const std::optional<JournalFileHeader> header = FirstHeader(scan);
    if (header && header->kind == JournalFileKind::kLog && header->generation <= covered) {
      ++stats_.stale_files;  // a compaction finished its snapshot but not its cleanup
      must_compact = true;
      continue;
    }
    stats_.log_records += apply(scan, **bytes);
    if (path == options_.path) current_torn = TornBytes(scan, **bytes);
    if (header) max_generation = std::max(max_generation, header->generation);
    if (path == PrevPath()) {
      must_compact = true;  // a compaction was interrupted before its snapshot
    } else {
      current_header = header;
      current = std::move(scan);
    }
  }
  appended_seq_ = seq;
  synced_seq_ = seq;

  if (!snap->has_value() && !FileExists(PrevPath()) && !FileExists(options_.path)) {
    // A new journal: generation 1, nothing to snapshot.
    const JournalFileHeader header{JournalFileKind::kLog, 1};
    if (Status st = WriteFileAtomically(options_.path, EncodeFileHeaderRecord(header)); !st.ok()) return st;
    Result<std::unique_ptr<AppendOnlyFile>> file =
        AppendOnlyFile::Open(options_.path, /*create=*/false, options_.preallocate_bytes);
    if (!file.ok()) return file.error();
    log_ = std::make_shared<Log>(Log{std::move(*file), header.generation});
    return {};
  }
  const bool log_usable = current && current_header && current_header->kind == JournalFileKind::kLog;
  if (must_compact || !log_usable || CompactionDue()) return CompactAtOpen(max_generation);

  Result<std::unique_ptr<AppendOnlyFile>> file =
      AppendOnlyFile::Open(options_.path, /*create=*/false, options_.preallocate_bytes);
  if (!file.ok()) return file.error();
  if (current_torn > 0) {
    // Cut the torn write so new records follow the last intact one.
    Status st = (*file)->Truncate(current->valid_end);
    if (st.ok()) st = (*file)->DataSync();
    if (!st.ok()) return st;
  } else {
    (*file)->ResumeAt(current->valid_end);  // only preallocated zeros follow
  }
  log_ = std::make_shared<Log>(Log{std::move(*file), current_header->generation});
  return {};
}

// Writes the replayed state as a snapshot newer than every file seen, then a
// fresh empty log. A crash between the steps leaves the snapshot covering
// the old logs, which the next Open skips as stale.
Status JournalLeaseStore::CompactAtOpen(uint64_t max_generation) {
  const uint64_t snapshot_generation = max_generation + 1;
  if (Status st = WriteFileAtomically(SnapshotPath(), SnapshotBytes(snapshot_generation, durable_.InCommitOrder()));
      !st.ok()) {
    return st;
  }
  if (Status st = RemoveFile(PrevPath()); !st.ok()) return st;
  const JournalFileHeader log_header{JournalFileKind::kLog, snapshot_generation + 1};
  if (Status st = WriteFileAtomically(options_.path, EncodeFileHeaderRecord(log_header)); !st.ok()) return st;
  Result<std::unique_ptr<AppendOnlyFile>> file =
      AppendOnlyFile::Open(options_.path, /*create=*/false, options_.preallocate_bytes);
  if (!file.ok()) return file.error();
  log_ = std::make_shared<Log>(Log{std::move(*file), log_header.generation});
  stats_.log_records = 0;
  ++stats_.compactions;
  return {};
}

bool JournalLeaseStore::CompactionDue() const {
  const double live = static_cast<double>(std::max<size_t>(durable_.size(), 1));
  return stats_.log_records >= options_.compact_min_records &&
         static_cast<double>(stats_.log_records) > options_.compact_ratio * live;
}

void JournalLeaseStore::Fail(const std::string& why) {
  if (failure_.empty()) log::Error(kComponent, "lease journal failed, refusing commits", {{"error", why}});
  failure_ = why;
}

Status JournalLeaseStore::Commit(const Lease& lease) {
  return CommitBatch({lease});
}

Status JournalLeaseStore::CommitBatch(const std::vector<Lease>& leases) {
  uint64_t seq = 0;
  std::shared_ptr<Log> log;
  if (Status st = Append(leases, &seq, &log); !st.ok()) return st;
  if (!log) return {};  // nothing durable in this batch (only offers)
  return WaitDurable(seq, log);
}

Status JournalLeaseStore::CommitDeferred(const Lease& lease) {
  uint64_t seq = 0;
  std::shared_ptr<Log> log;
  if (Status st = Append({lease}, &seq, &log); !st.ok()) return st;
  if (!log) return {};
  std::lock_guard<std::mutex> l(mu_);
  deferred_seq_ = std::max(deferred_seq_, seq);
  deferred_log_ = std::move(log);
  return {};
}

Status JournalLeaseStore::Flush() {
  uint64_t seq = 0;
  std::shared_ptr<Log> log;
  {
    std::lock_guard<std::mutex> l(mu_);
    seq = std::exchange(deferred_seq_, 0);
    log = std::move(deferred_log_);
    deferred_log_.reset();
  }
  if (seq == 0) return {};
  // A compaction rotated the records' log away after syncing it (Compact()
  // raises synced_seq_), so an older `log` is already durable.
  if (synced_seq_.load() >= seq) return {};
  return WaitDurable(seq, log);
}

Status JournalLeaseStore::Append(const std::vector<Lease>& leases, uint64_t* last_seq, std::shared_ptr<Log>* log) {
  std::string bytes;
  for (const Lease& lease : leases) {
    if (lease.state == LeaseState::kOffered) continue;
    Result<std::string> rec = EncodeLeaseRecord(lease);
    if (!rec.ok()) return Error{"lease " + lease.ip.ToString() + ": " + rec.error().message};
    bytes += *rec;
  }
  std::lock_guard<std::mutex> l(mu_);
  if (!failure_.empty()) return Error{"lease journal failed earlier: " + failure_};
  if (!bytes.empty()) {
    if (Status st = log_->file->Append(bytes); !st.ok()) {
      Fail(st.message());
      return st;
    }
  }
  for (const Lease& lease : leases) {
    if (lease.state == LeaseState::kOffered) {
      offered_.Apply(lease, ++appended_seq_);
      continue;
    }
    offered_.Erase(lease.ip);
    durable_.Apply(lease, ++appended_seq_);
    ++stats_.commits;
    ++stats_.log_records;
  }
  *last_seq = appended_seq_;
  if (!bytes.empty()) *log = log_;
  if (options_.background_compaction && !compaction_requested_ && !compaction_blocked_ && CompactionDue()) {
    compaction_requested_ = true;
    compaction_cv_.notify_all();
  }
  return {};
}

Status JournalLeaseStore::WaitDurable(uint64_t seq, const std::shared_ptr<Log>& log) {
  switch (options_.fsync) {
    case FsyncPolicy::kNever: return {};
    case FsyncPolicy::kGroup: return GroupSync(seq);
    case FsyncPolicy::kAlways: break;
  }
  ++syncs_;
  // The record may sit in a log that a compaction already rotated out; that
  // file stays open through `log` and syncing it is still correct.
  if (Status st = log->file->DataSync(); !st.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    Fail(st.message());
    return st;
  }
  return {};
}

void JournalLeaseStore::RaiseSynced(uint64_t seq) {
  uint64_t cur = synced_seq_.load();
  while (cur < seq && !synced_seq_.compare_exchange_weak(cur, seq)) {
  }
}

// Group commit: a caller whose record is not yet covered by a running sync
// becomes a leader and syncs everything appended so far; callers whose
// record a running sync already covers wait for it instead of issuing their
// own. One fdatasync serves every commit appended before it started. With
// group_max_inflight_syncs = 1 this is classic leader/follower group commit;
// more lets a new batch start while a slow sync runs (the filesystem then
// merges their journal commits).
Status JournalLeaseStore::GroupSync(uint64_t seq) {
  std::unique_lock<std::mutex> sl(sync_mu_);
  for (;;) {
    if (synced_seq_.load() >= seq) return {};
    if (sync_failed_) return Error{"lease journal sync failed"};
    if (inflight_target_ >= seq || inflight_syncs_ >= options_.group_max_inflight_syncs) {
      sync_cv_.wait(sl);
      continue;
    }
    ++inflight_syncs_;
    sl.unlock();
    uint64_t target = 0;
    std::shared_ptr<Log> log;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (failure_.empty()) {
        target = appended_seq_;  // >= seq: our record was appended before we got here
        log = log_;
      }
    }
    sl.lock();
    inflight_target_ = std::max(inflight_target_, target);
    sl.unlock();
    Status st = log ? log->file->DataSync() : Status(Error{"lease journal failed earlier"});
    ++syncs_;
    if (!st.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      Fail(st.message());
    }
    sl.lock();
    --inflight_syncs_;
    if (st.ok()) {
      RaiseSynced(target);
    } else {
      sync_failed_ = true;
    }
    sync_cv_.notify_all();
    if (!st.ok()) return st;
  }
}

Status JournalLeaseStore::CompactNow() {
  return Compact();
}

// Background compaction. Crash points and what the next Open sees:
//   before the rename            old log (+ old snapshot): replayed
//   after rename, before new log P.prev only: replayed, then compacted at Open
//   new log written              P.prev + P: both replayed (prev is newer than the snapshot)
//   snapshot renamed             P.prev is stale (generation <= snapshot's): skipped
Status JournalLeaseStore::Compact() {
  std::lock_guard<std::mutex> cl(compaction_mu_);
  std::vector<Lease> live;
  uint64_t covered = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!failure_.empty()) return Error{"lease journal failed earlier: " + failure_};
    if (FileExists(PrevPath())) {
      compaction_blocked_ = true;
      return Error{"an earlier compaction did not finish; the next Open completes it"};
    }
    // Everything appended so far becomes durable before the log is rotated
    // away, so waiting committers are covered by this sync.
    if (Status st = log_->file->DataSync(); !st.ok()) {
      Fail(st.message());
      return st;
    }
    ++syncs_;
    RaiseSynced(appended_seq_);
    if (Status st = RenameFile(options_.path, PrevPath()); !st.ok()) return st;
    const JournalFileHeader header{JournalFileKind::kLog, log_->generation + 1};
    Result<std::unique_ptr<AppendOnlyFile>> file =
        AppendOnlyFile::Open(options_.path, /*create=*/true, options_.preallocate_bytes);
    Status st = file.ok() ? (*file)->Append(EncodeFileHeaderRecord(header)) : Status(file.error());
    if (st.ok()) st = (*file)->DataSync();
    if (st.ok()) st = FsyncParentDir(options_.path);
    if (!st.ok()) {
      // Keep appending to the old log.
      if (!RemoveFile(options_.path).ok() || !RenameFile(PrevPath(), options_.path).ok()) Fail(st.message());
      return st;
    }
    covered = log_->generation;
    log_ = std::make_shared<Log>(Log{std::move(*file), header.generation});
    stats_.log_records = 0;
    live = durable_.InCommitOrder();
  }
  Status st = WriteFileAtomically(SnapshotPath(), SnapshotBytes(covered, live));
  if (st.ok()) st = RemoveFile(PrevPath());
  if (st.ok()) st = FsyncParentDir(PrevPath());
  std::lock_guard<std::mutex> l(mu_);
  if (!st.ok()) {
    compaction_blocked_ = true;
    return st;
  }
  ++stats_.compactions;
  return {};
}

void JournalLeaseStore::CompactionLoop() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    compaction_cv_.wait(l, [this] { return stopping_ || compaction_requested_; });
    if (stopping_) return;
    l.unlock();
    if (Status st = Compact(); !st.ok()) {
      log::Warn(kComponent, "lease journal compaction failed", {{"path", options_.path}, {"error", st.message()}});
    }
    l.lock();
    compaction_requested_ = false;
  }
}

std::optional<Lease> JournalLeaseStore::FindByIp(Ipv4Address ip) const {
  std::lock_guard<std::mutex> l(mu_);
  if (const Lease* lease = offered_.FindByIp(ip)) return *lease;
  if (const Lease* lease = durable_.FindByIp(ip)) return *lease;
  return std::nullopt;
}

std::optional<Lease> JournalLeaseStore::FindByMac(const MacAddress& mac) const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t durable_seq = 0;
  uint64_t offered_seq = 0;
  const Lease* durable = durable_.FindByMac(mac, &durable_seq);
  const Lease* offered = offered_.FindByMac(mac, &offered_seq);
  if (offered && (!durable || !HoldsAddress(*durable) || offered_seq > durable_seq)) return *offered;
  if (durable) return *durable;
  return std::nullopt;
}

std::optional<Lease> JournalLeaseStore::FindByClientId(const std::string& client_id) const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t durable_seq = 0;
  uint64_t offered_seq = 0;
  const Lease* durable = durable_.FindByClientId(client_id, &durable_seq);
  const Lease* offered = offered_.FindByClientId(client_id, &offered_seq);
  if (offered && (!durable || !HoldsAddress(*durable) || offered_seq > durable_seq)) return *offered;
  if (durable) return *durable;
  return std::nullopt;
}

void JournalLeaseStore::ForEach(const std::function<void(const Lease&)>& fn) const {
  std::vector<Lease> all;
  {
    std::lock_guard<std::mutex> l(mu_);
    all.reserve(durable_.size() + offered_.size());
    offered_.ForEach([&](const Lease& lease) { all.push_back(lease); });
    durable_.ForEach([&](const Lease& lease) {
      if (!offered_.FindByIp(lease.ip)) all.push_back(lease);
    });
  }
  std::sort(all.begin(), all.end(), [](const Lease& a, const Lease& b) { return a.ip < b.ip; });
  for (const Lease& lease : all) fn(lease);  // outside the lock: fn may call back into the store
}

size_t JournalLeaseStore::size() const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = durable_.size();
  offered_.ForEach([&](const Lease& lease) {
    if (!durable_.FindByIp(lease.ip)) ++n;
  });
  return n;
}

JournalStats JournalLeaseStore::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  JournalStats s = stats_;
  s.syncs = syncs_.load();
  return s;
}

}  // namespace rackboot::bootd
