#pragma once
// ReadTransfer: the server side of one RRQ, as a pure state machine.
// Events in (Start, OnDatagram, OnDeadline, all with an explicit clock),
// packets out (through a sink), the next timer as an explicit deadline.
//
// Protocol rules it implements:
//  - RFC 2347 §3: with accepted options the server sends OACK and waits for
//    ACK 0; a client ERROR instead ends the transfer (OVMF's tsize probe).
//  - RFC 7440: up to `windowsize` DATA blocks in flight; an ACK for block n
//    acknowledges everything up to n and the next window starts at n+1 (an
//    ACK inside the window means the client saw a gap).
//  - RFC 1350 §6 / "Sorcerer's Apprentice" (RFC 1123 §4.2.3.1): a duplicate
//    ACK never triggers a send; only the retransmission timer resends.
//  - Block numbers are 16-bit on the wire and roll over 65535 -> 0 (the
//    de facto convention of tftpd-hpa, atftp, iPXE, EDK2); internally
//    blocks are 64-bit so files of any size work.
//  - Timer: timeout doubles on each expiry up to a cap; progress resets it;
//    after max_retries expiries without progress the transfer fails.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "bootd/tftp/block_source.h"
#include "bootd/tftp/options.h"

namespace rackboot::bootd::tftp {

struct RetransmitPolicy {
  int64_t initial_timeout_ms = 1000;  // used when the client negotiated no timeout
  int64_t max_timeout_ms = 8000;
  int max_retries = 6;
};

using PacketSink = std::function<void(std::span<const uint8_t>)>;

class ReadTransfer {
 public:
  enum class State {
    kAwaitingOackAck,  // OACK sent, waiting for ACK 0
    kSending,          // DATA windows in flight
    kComplete,         // the last block was acknowledged
    kClientError,      // the client sent ERROR (abort, or tsize probe done)
    kTimedOut,         // retries exhausted
    kSourceFailed,     // reading the file failed; ERROR sent
  };

  // `source` must outlive the transfer.
  ReadTransfer(NegotiatedOptions options, BlockSource* source, RetransmitPolicy policy);

  void Start(int64_t now_ms, const PacketSink& sink);
  // A datagram from the client's TID.
  void OnDatagram(std::span<const uint8_t> bytes, int64_t now_ms, const PacketSink& sink);
  // Call when now_ms >= deadline_ms().
  void OnDeadline(int64_t now_ms, const PacketSink& sink);

  State state() const { return state_; }
  bool finished() const { return state_ != State::kAwaitingOackAck && state_ != State::kSending; }
  int64_t deadline_ms() const { return deadline_ms_; }
  const NegotiatedOptions& options() const { return options_; }
  uint64_t total_blocks() const { return last_block_; }
  // Bytes of the file the client has acknowledged.
  uint64_t bytes_acknowledged() const;
  uint64_t data_packets_sent() const { return data_packets_sent_; }
  uint64_t retransmissions() const { return retransmissions_; }
  uint64_t duplicate_acks() const { return duplicate_acks_; }
  const std::string& client_error() const { return client_error_; }

 private:
  void SendWindow(int64_t now_ms, const PacketSink& sink);
  bool SendBlock(uint64_t block, const PacketSink& sink);
  void Arm(int64_t now_ms) { deadline_ms_ = now_ms + timeout_ms_; }
  void OnAck(uint16_t wire_block, int64_t now_ms, const PacketSink& sink);

  NegotiatedOptions options_;
  BlockSource* source_;
  RetransmitPolicy policy_;
  State state_;
  uint64_t last_block_;  // index of the final (short, possibly empty) block
  uint64_t acked_ = 0;   // highest block acknowledged (0 = none / OACK)
  uint64_t sent_until_ = 0;
  int64_t base_timeout_ms_;
  int64_t timeout_ms_;
  int64_t deadline_ms_ = 0;
  int retries_ = 0;
  uint64_t data_packets_sent_ = 0;
  uint64_t retransmissions_ = 0;
  uint64_t duplicate_acks_ = 0;
  std::string client_error_;
  std::vector<uint8_t> buffer_;
};

}  // namespace rackboot::bootd::tftp
