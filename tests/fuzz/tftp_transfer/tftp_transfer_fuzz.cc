// Fuzzes the read-transfer state machine with what a client can send on a
// transfer's TID. Input: byte 0 = windowsize-1 (mod 64), byte 1 = flags
// (bit0: OACK first), then records [len:1][datagram:len] or len 0 = a timer
// expiry. Invariants: no DATA block outside the window, no send in answer to
// a duplicate ACK, acknowledged bytes never shrink or exceed the file.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include "bootd/tftp/packet.h"
#include "bootd/tftp/read_transfer.h"

using namespace rackboot::bootd::tftp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  NegotiatedOptions opts;
  opts.blksize = 8;
  opts.windowsize = static_cast<uint16_t>(data[0] % 64 + 1);
  if (data[1] & 1) opts.oack = {{"blksize", "8"}};
  MemoryBlockSource source(std::string(8 * 40 + 3, 'x'));
  ReadTransfer t(opts, &source, RetransmitPolicy{10, 80, 3});
  size_t sent_now = 0;
  PacketSink sink = [&](std::span<const uint8_t> p) {
    if (p.size() > size_t{4} + opts.blksize) std::abort();
    ++sent_now;
  };
  int64_t now = 0;
  t.Start(now, sink);
  uint64_t acked = 0;
  size_t pos = 2;
  while (pos < size && !t.finished()) {
    const size_t len = data[pos++];
    sent_now = 0;
    if (len == 0) {
      now = t.deadline_ms();
      t.OnDeadline(now, sink);
    } else {
      const size_t n = std::min(len, size - pos);
      const uint64_t dup_before = t.duplicate_acks();
      t.OnDatagram(std::span<const uint8_t>(data + pos, n), ++now, sink);
      pos += n;
      if (t.duplicate_acks() != dup_before && sent_now != 0) std::abort();  // Sorcerer's Apprentice
    }
    if (sent_now > opts.windowsize) std::abort();
    if (t.bytes_acknowledged() < acked || t.bytes_acknowledged() > source.size()) std::abort();
    acked = t.bytes_acknowledged();
  }
  return 0;
}
