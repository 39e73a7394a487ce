#pragma once
// EventAckWatermark: the cumulative EventAck a stream may send. bootd forgets
// every event up to the acknowledged sequence, so an event may only be
// covered once the controller has stored it (its Machine status written) --
// otherwise a controller killed between ACK and write loses that progress
// for good. Events are handed to the observer in sequence order and finish
// out of order; the watermark is the highest sequence below which nothing is
// still in flight. Pure and single-threaded: the caller locks.

#include <cstdint>
#include <optional>
#include <set>

namespace rackboot::controller::push {

class EventAckWatermark {
 public:
  // An event handed to the observer; not acknowledgeable until Finished().
  void Started(uint64_t sequence) {
    in_flight_.insert(sequence);
    Seen(sequence);
  }
  // A duplicate of an event already handled: acknowledgeable at once.
  void Seen(uint64_t sequence) {
    if (sequence > highest_seen_) highest_seen_ = sequence;
  }
  void Finished(uint64_t sequence) { in_flight_.erase(sequence); }

  // The sequence to acknowledge now (everything <= it is stored), or nothing
  // when no new event can be covered.
  std::optional<uint64_t> Next() {
    uint64_t ack = highest_seen_;
    if (!in_flight_.empty()) ack = *in_flight_.begin() - 1;
    if (ack <= acked_) return std::nullopt;
    acked_ = ack;
    return ack;
  }

 private:
  std::set<uint64_t> in_flight_;
  uint64_t highest_seen_ = 0;
  uint64_t acked_ = 0;
};

}  // namespace rackboot::controller::push
