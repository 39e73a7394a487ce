#pragma once
// On-disk format of the lease journal and its snapshot (pure code: bytes in,
// records out; the file I/O lives in lease_journal.cc).
//
// Every record is framed as
//   magic u32 | payload_length u32 | crc32c u32 | payload
// all big-endian; the CRC covers the length field and the payload, so a
// damaged length is caught too. The magic lets the reader resynchronise past
// a damaged record: like Kea's memfile, where a bad CSV row is skipped and
// counted, a bad record never makes the file unreadable.
//
// Payload, first byte = record type:
//   kFileHeader: type u8 | file kind u8 | generation u64
//   kLeaseV1:    type u8 | state u8 | ip u32 | mac[6] | expires i64 |
//                client_id_len u8 | client_id | hostname_len u8 | hostname
// A journal file starts with one header record. Generations order the files:
// a snapshot that covers generation G makes every log of generation <= G
// stale (the idea of Kea's LFC, which merges leases4.csv.1 and .2).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootd/leases/lease.h"
#include "common/result.h"

namespace rackboot::bootd {

inline constexpr uint32_t kJournalRecordMagic = 0x52424C4A;  // "RBLJ"
inline constexpr size_t kJournalFrameSize = 12;              // magic + length + crc
inline constexpr size_t kJournalMaxPayload = 1024;           // a v1 lease needs at most 531

enum class JournalRecordType : uint8_t { kFileHeader = 1, kLeaseV1 = 2 };
enum class JournalFileKind : uint8_t { kLog = 1, kSnapshot = 2 };

struct JournalFileHeader {
  JournalFileKind kind = JournalFileKind::kLog;
  uint64_t generation = 0;
};

// Framed records ready to append. Fails for fields that do not fit v1
// (client id or hostname over 255 bytes: RFC 2132 option lengths are u8).
Result<std::string> EncodeLeaseRecord(const Lease& lease);
std::string EncodeFileHeaderRecord(const JournalFileHeader& header);

struct JournalRecord {
  JournalRecordType type = JournalRecordType::kLeaseV1;
  Lease lease;               // for kLeaseV1
  JournalFileHeader header;  // for kFileHeader
  size_t offset = 0;         // where its frame starts in the scanned bytes
};

struct JournalScan {
  std::vector<JournalRecord> records;
  // Damaged regions followed by a valid record: skipped, counted once each.
  size_t corrupt_records = 0;
  // Intact frames (CRC ok) whose payload this version cannot decode.
  size_t unknown_records = 0;
  // Bytes after the last valid record: a write torn by a crash.
  size_t torn_tail_bytes = 0;
  // Offset just past the last valid record; appending may resume here.
  size_t valid_end = 0;
};

// Never fails: whatever cannot be read is skipped and counted.
JournalScan ScanJournal(std::string_view bytes);

// The header, if the scan's first record is one.
std::optional<JournalFileHeader> FirstHeader(const JournalScan& scan);

}  // namespace rackboot::bootd
