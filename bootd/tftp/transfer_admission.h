#pragma once
// TransferAdmission: what happens to a read request when it arrives and when
// a transfer ends, for a server that runs at most `max_active` transfers.
// Pure: client keys (the client's TID, address and port) and times in,
// verdicts out; the I/O layer (tftp_service.cc) holds the requests.
//
// At capacity a request waits in a FIFO queue and starts when a transfer
// ends, in arrival order, so every client gets its turn and a client that
// retransmits more often does not get ahead. When the queue is full too the
// request is ignored: no ERROR, because a PXE ROM gives up on an ERROR but
// retransmits an unanswered RRQ (RFC 1350 §4 leaves a lost request to the
// client's timer), so a storm bigger than the queue is a delay, not a
// failed boot. A queued client that stops retransmitting (it gave up, or
// booted from elsewhere) expires after `queued_ttl_ms` without an RRQ, so
// no slot goes to a client that is no longer listening.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace rackboot::bootd::tftp {

struct AdmissionLimits {
  size_t max_active = 512;
  size_t max_queued = 4096;
  int64_t queued_ttl_ms = 15000;
};

class TransferAdmission {
 public:
  enum class Verdict {
    kStart,      // start the transfer now
    kQueued,     // at capacity: hold the request until Next() names it
    kDuplicate,  // the client already has a transfer or a queued request (a retransmitted RRQ)
    kIgnored,    // at capacity and the queue is full: do not answer; the client retransmits
  };
  // What to do once a transfer ended: the queued client to start now, and
  // the queued clients that expired (their held requests can go).
  struct Next {
    std::optional<uint64_t> start;
    std::vector<uint64_t> expired;
  };

  explicit TransferAdmission(AdmissionLimits limits) : limits_(limits) {}

  Verdict Arrive(uint64_t client, int64_t now_ms);
  // The transfer of `client` ended, or its request was refused before it
  // started (file not found...). Frees its slot for the oldest live queued
  // client, which becomes active.
  Next Finish(uint64_t client, int64_t now_ms);
  // Forgets everything (the service stopped).
  void Clear();

  size_t active() const { return active_; }
  size_t queued() const { return queue_.size(); }

 private:
  struct Entry {
    bool active = false;
    std::list<uint64_t>::iterator queued_at;  // when !active
    int64_t last_seen_ms = 0;                 // the last RRQ of a queued client
  };
  // Drops expired clients from the head of the queue into `expired`.
  void ExpireHead(int64_t now_ms, std::vector<uint64_t>* expired);

  AdmissionLimits limits_;
  size_t active_ = 0;
  std::list<uint64_t> queue_;  // oldest first
  std::unordered_map<uint64_t, Entry> clients_;
};

}  // namespace rackboot::bootd::tftp
