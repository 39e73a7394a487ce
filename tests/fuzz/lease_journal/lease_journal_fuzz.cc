// Fuzz target for the lease journal decoder: bootd reads its journal and
// snapshot files at start-up, and those may be damaged (torn writes, bad
// disks, an operator's editor). ScanJournal must never crash, and its
// bookkeeping must add up. Every record it accepts must re-encode to a
// record that decodes to the same lease.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bootd/leases/journal_record.h"
#include "bootd/leases/lease_index.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();  // a broken invariant is a finding
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rackboot::bootd;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const JournalScan scan = ScanJournal(bytes);
  Check(scan.valid_end <= size);
  Check(scan.torn_tail_bytes == size - scan.valid_end);
  LeaseIndex index;
  uint64_t seq = 0;
  size_t previous_offset = 0;
  for (const JournalRecord& rec : scan.records) {
    Check(rec.offset >= previous_offset && rec.offset < size);
    previous_offset = rec.offset;
    if (rec.type != JournalRecordType::kLeaseV1) continue;
    index.Apply(rec.lease, ++seq);
    rackboot::Result<std::string> again = EncodeLeaseRecord(rec.lease);
    Check(again.ok());
    const JournalScan rescan = ScanJournal(*again);
    Check(rescan.records.size() == 1 && rescan.corrupt_records == 0 && rescan.torn_tail_bytes == 0);
    const Lease& l = rescan.records[0].lease;
    Check(l.ip == rec.lease.ip && l.mac == rec.lease.mac && l.state == rec.lease.state &&
          l.client_id == rec.lease.client_id && l.hostname == rec.lease.hostname &&
          l.expires_unix == rec.lease.expires_unix);
  }
  Check(index.size() <= scan.records.size());
  return 0;
}
