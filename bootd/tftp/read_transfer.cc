#include "bootd/tftp/read_transfer.h"

#include <algorithm>
#include <variant>

#include "bootd/tftp/packet.h"

namespace rackboot::bootd::tftp {

ReadTransfer::ReadTransfer(NegotiatedOptions options, BlockSource* source, RetransmitPolicy policy)
    : options_(std::move(options)),
      source_(source),
      policy_(policy),
      state_(options_.oack.empty() ? State::kSending : State::kAwaitingOackAck),
      // RFC 1350 §6: a block shorter than blksize ends the transfer, so a
      // size that is a multiple of blksize needs a final empty block.
      last_block_(source->size() / options_.blksize + 1),
      base_timeout_ms_(options_.timeout_seconds > 0 ? options_.timeout_seconds * int64_t{1000}
                                                    : policy.initial_timeout_ms),
      timeout_ms_(base_timeout_ms_) {
  policy_.max_timeout_ms = std::max(policy_.max_timeout_ms, base_timeout_ms_);
  buffer_.resize(4 + options_.blksize);
}

uint64_t ReadTransfer::bytes_acknowledged() const {
  if (acked_ == 0) return 0;
  return std::min<uint64_t>(acked_ * options_.blksize, source_->size());
}

void ReadTransfer::Start(int64_t now_ms, const PacketSink& sink) {
  if (state_ == State::kAwaitingOackAck) {
    const std::vector<uint8_t> oack = EncodeOack(options_.oack);
    sink(oack);
    Arm(now_ms);
  } else {
    SendWindow(now_ms, sink);
  }
}

bool ReadTransfer::SendBlock(uint64_t block, const PacketSink& sink) {
  const uint64_t offset = (block - 1) * options_.blksize;
  Result<size_t> n = source_->ReadAt(offset, std::span<uint8_t>(buffer_).subspan(4, options_.blksize));
  if (!n.ok()) {
    sink(EncodeError(ErrorCode::kNotDefined, "read error"));
    state_ = State::kSourceFailed;
    return false;
  }
  const uint16_t wire = static_cast<uint16_t>(block & 0xffff);  // RFC 1350 block numbers wrap
  buffer_[0] = 0;
  buffer_[1] = static_cast<uint8_t>(Opcode::kData);
  buffer_[2] = static_cast<uint8_t>(wire >> 8);
  buffer_[3] = static_cast<uint8_t>(wire & 0xff);
  sink(std::span<const uint8_t>(buffer_.data(), 4 + *n));
  ++data_packets_sent_;
  return true;
}

// Sends blocks acked_+1 .. acked_+windowsize (bounded by the last block).
void ReadTransfer::SendWindow(int64_t now_ms, const PacketSink& sink) {
  const uint64_t first = acked_ + 1;
  const uint64_t last = std::min<uint64_t>(acked_ + options_.windowsize, last_block_);
  for (uint64_t b = first; b <= last; ++b) {
    if (b <= sent_until_) ++retransmissions_;
    if (!SendBlock(b, sink)) return;
  }
  sent_until_ = std::max(sent_until_, last);
  Arm(now_ms);
}

void ReadTransfer::OnAck(uint16_t wire_block, int64_t now_ms, const PacketSink& sink) {
  if (state_ == State::kAwaitingOackAck) {
    if (wire_block != 0) return;  // RFC 2347 §3: only ACK 0 acknowledges an OACK
    state_ = State::kSending;
    retries_ = 0;
    timeout_ms_ = base_timeout_ms_;
    SendWindow(now_ms, sink);
    return;
  }
  // Map the 16-bit number onto the window [acked_, sent_until_]; the window
  // is at most 64 blocks wide, so at most one block matches.
  const uint64_t span = sent_until_ - acked_;
  const uint16_t delta = static_cast<uint16_t>(wire_block - static_cast<uint16_t>(acked_ & 0xffff));
  if (delta > span) return;  // not in the window: stale or bogus, ignore
  if (delta == 0) {
    ++duplicate_acks_;  // Sorcerer's Apprentice: never answer a duplicate ACK
    return;
  }
  acked_ += delta;
  retries_ = 0;
  timeout_ms_ = base_timeout_ms_;
  if (acked_ == last_block_) {
    state_ = State::kComplete;
    return;
  }
  // Whole window acknowledged, or an ACK inside it (RFC 7440 §4: the client
  // saw a gap and acknowledges the last in-order block): continue after it.
  SendWindow(now_ms, sink);
}

void ReadTransfer::OnDatagram(std::span<const uint8_t> bytes, int64_t now_ms, const PacketSink& sink) {
  if (finished()) return;
  Result<Packet> p = DecodePacket(bytes);
  if (!p.ok()) return;  // garbage on our TID: ignore, the timer recovers
  if (const auto* ack = std::get_if<AckPacket>(&*p)) {
    OnAck(ack->block, now_ms, sink);
  } else if (const auto* err = std::get_if<ErrorPacket>(&*p)) {
    // RFC 1350 §7: an ERROR ends the transfer; it is not acknowledged.
    client_error_ = "code=" + std::to_string(err->code) + " " + err->message;
    state_ = State::kClientError;
  }
  // DATA, requests or OACK from the client on this TID: ignored.
}

void ReadTransfer::OnDeadline(int64_t now_ms, const PacketSink& sink) {
  if (finished() || now_ms < deadline_ms_) return;
  if (++retries_ > policy_.max_retries) {
    state_ = State::kTimedOut;
    return;
  }
  timeout_ms_ = std::min(timeout_ms_ * 2, policy_.max_timeout_ms);
  if (state_ == State::kAwaitingOackAck) {
    sink(EncodeOack(options_.oack));
    ++retransmissions_;
    Arm(now_ms);
  } else {
    SendWindow(now_ms, sink);  // go back to the first unacknowledged block
  }
}

}  // namespace rackboot::bootd::tftp
