#include "bootd/leases/journal_record.h"

#include <cstring>

#include "bootd/leases/crc32c.h"

namespace rackboot::bootd {
namespace {

void PutU8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}
void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}
void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

uint32_t GetU32(std::string_view in, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}
uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

std::string Frame(std::string_view payload) {
  std::string out;
  out.reserve(kJournalFrameSize + payload.size());
  PutU32(out, kJournalRecordMagic);
  PutU32(out, static_cast<uint32_t>(payload.size()));
  std::string crc_input = out.substr(4, 4);
  crc_input.append(payload);
  PutU32(out, Crc32c(0, crc_input));
  out.append(payload);
  return out;
}

// Bounds-checked reader over one payload.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view p) : p_(p) {}
  bool U8(uint8_t* v) {
    if (pos_ + 1 > p_.size()) return false;
    *v = static_cast<uint8_t>(p_[pos_++]);
    return true;
  }
  bool U32(uint32_t* v) {
    if (pos_ + 4 > p_.size()) return false;
    *v = GetU32(p_, pos_);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t* v) {
    if (pos_ + 8 > p_.size()) return false;
    *v = GetU64(p_, pos_);
    pos_ += 8;
    return true;
  }
  bool Bytes(size_t n, std::string* out) {
    if (pos_ + n > p_.size()) return false;
    out->assign(p_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool AtEnd() const { return pos_ == p_.size(); }

 private:
  std::string_view p_;
  size_t pos_ = 0;
};

bool DecodePayload(std::string_view payload, JournalRecord* rec) {
  PayloadReader r(payload);
  uint8_t type = 0;
  if (!r.U8(&type)) return false;
  if (type == static_cast<uint8_t>(JournalRecordType::kFileHeader)) {
    uint8_t kind = 0;
    uint64_t generation = 0;
    if (!r.U8(&kind) || !r.U64(&generation) || !r.AtEnd()) return false;
    if (kind != static_cast<uint8_t>(JournalFileKind::kLog) &&
        kind != static_cast<uint8_t>(JournalFileKind::kSnapshot)) {
      return false;
    }
    rec->type = JournalRecordType::kFileHeader;
    rec->header = {static_cast<JournalFileKind>(kind), generation};
    return true;
  }
  if (type != static_cast<uint8_t>(JournalRecordType::kLeaseV1)) return false;
  uint8_t state = 0;
  uint32_t ip = 0;
  std::string mac;
  uint64_t expires = 0;
  uint8_t cid_len = 0;
  uint8_t host_len = 0;
  Lease lease;
  if (!r.U8(&state) || state > static_cast<uint8_t>(LeaseState::kDeclined)) return false;
  if (!r.U32(&ip) || !r.Bytes(6, &mac) || !r.U64(&expires)) return false;
  if (!r.U8(&cid_len) || !r.Bytes(cid_len, &lease.client_id)) return false;
  if (!r.U8(&host_len) || !r.Bytes(host_len, &lease.hostname) || !r.AtEnd()) return false;
  std::array<uint8_t, 6> mac_bytes{};
  std::memcpy(mac_bytes.data(), mac.data(), 6);
  lease.ip = Ipv4Address(ip);
  lease.mac = MacAddress(mac_bytes);
  lease.expires_unix = static_cast<int64_t>(expires);
  lease.state = static_cast<LeaseState>(state);
  rec->type = JournalRecordType::kLeaseV1;
  rec->lease = std::move(lease);
  return true;
}

// Length of the payload of an intact frame at `pos`, or nullopt.
std::optional<size_t> IntactFrameAt(std::string_view bytes, size_t pos) {
  if (bytes.size() - pos < kJournalFrameSize) return std::nullopt;
  if (GetU32(bytes, pos) != kJournalRecordMagic) return std::nullopt;
  const size_t length = GetU32(bytes, pos + 4);
  if (length > kJournalMaxPayload || bytes.size() - pos - kJournalFrameSize < length) return std::nullopt;
  uint32_t crc = Crc32c(0, bytes.substr(pos + 4, 4));
  crc = Crc32c(crc, bytes.substr(pos + kJournalFrameSize, length));
  if (crc != GetU32(bytes, pos + 8)) return std::nullopt;
  return length;
}

// Next position after `from` where the magic starts, or bytes.size().
size_t NextMagic(std::string_view bytes, size_t from) {
  static constexpr char kMagic[4] = {'R', 'B', 'L', 'J'};
  const size_t found = bytes.find(std::string_view(kMagic, 4), from);
  return found == std::string_view::npos ? bytes.size() : found;
}

}  // namespace

Result<std::string> EncodeLeaseRecord(const Lease& lease) {
  if (lease.client_id.size() > 255) return Error{"client id longer than 255 bytes"};
  if (lease.hostname.size() > 255) return Error{"hostname longer than 255 bytes"};
  std::string payload;
  payload.reserve(32 + lease.client_id.size() + lease.hostname.size());
  PutU8(payload, static_cast<uint8_t>(JournalRecordType::kLeaseV1));
  PutU8(payload, static_cast<uint8_t>(lease.state));
  PutU32(payload, lease.ip.value());
  for (uint8_t b : lease.mac.bytes()) PutU8(payload, b);
  PutU64(payload, static_cast<uint64_t>(lease.expires_unix));
  PutU8(payload, static_cast<uint8_t>(lease.client_id.size()));
  payload.append(lease.client_id);
  PutU8(payload, static_cast<uint8_t>(lease.hostname.size()));
  payload.append(lease.hostname);
  return Frame(payload);
}

std::string EncodeFileHeaderRecord(const JournalFileHeader& header) {
  std::string payload;
  PutU8(payload, static_cast<uint8_t>(JournalRecordType::kFileHeader));
  PutU8(payload, static_cast<uint8_t>(header.kind));
  PutU64(payload, header.generation);
  return Frame(payload);
}

JournalScan ScanJournal(std::string_view bytes) {
  JournalScan scan;
  size_t pos = 0;
  bool in_damaged_region = false;
  while (pos < bytes.size()) {
    const std::optional<size_t> length = IntactFrameAt(bytes, pos);
    if (!length) {
      in_damaged_region = true;
      pos = NextMagic(bytes, pos + 1);
      continue;
    }
    if (in_damaged_region) {
      ++scan.corrupt_records;
      in_damaged_region = false;
    }
    JournalRecord rec;
    rec.offset = pos;
    if (DecodePayload(bytes.substr(pos + kJournalFrameSize, *length), &rec)) {
      scan.records.push_back(std::move(rec));
    } else {
      ++scan.unknown_records;
    }
    pos += kJournalFrameSize + *length;
    scan.valid_end = pos;
  }
  scan.torn_tail_bytes = bytes.size() - scan.valid_end;
  return scan;
}

std::optional<JournalFileHeader> FirstHeader(const JournalScan& scan) {
  if (scan.records.empty() || scan.records.front().type != JournalRecordType::kFileHeader ||
      scan.records.front().offset != 0) {
    return std::nullopt;
  }
  return scan.records.front().header;
}

}  // namespace rackboot::bootd
