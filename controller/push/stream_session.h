#pragma once
// StreamSession: the controller's per-stream protocol state, without I/O.
// Tracks what bootd has applied, the one update in flight (by nonce), and a
// NACK hold: a NACKed version is never resent; the session stays quiet until
// the rack has a newer version (conventions.md, "Envoy xDS").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/push/rack_snapshot_cache.h"

namespace rackboot::controller::push {

struct AckOutcome {
  enum class Kind { kAck, kNack, kIgnored };
  Kind kind = Kind::kIgnored;
  uint64_t version = 0;               // the update's version
  std::string error_detail;           // NACK only
  std::vector<std::string> machines;  // NACK only: machines the update carried
};

class StreamSession {
 public:
  StreamSession(std::string rack, std::string stream_id);

  const std::string& rack() const { return rack_; }
  bool has_hello() const { return has_hello_; }
  uint64_t applied_version() const { return applied_version_; }
  bool in_flight() const { return in_flight_.has_value(); }
  std::optional<uint64_t> held_version() const { return nacked_version_; }

  void OnHello(const v1alpha1::Hello& hello);
  // The update to send now, or nothing (no Hello yet, one already in flight,
  // in sync, or held after a NACK until a newer version exists).
  std::optional<v1alpha1::AssignmentUpdate> NextUpdate(RackSnapshotCache& cache);
  // Matches by nonce; a stale or unknown nonce is ignored.
  AckOutcome OnAck(const v1alpha1::Ack& ack);

 private:
  struct InFlight {
    std::string nonce;
    uint64_t version = 0;
    uint64_t epoch = 0;
    std::vector<std::string> machines;
  };

  std::string rack_;
  std::string stream_id_;
  bool has_hello_ = false;
  uint64_t applied_version_ = 0;
  uint64_t applied_epoch_ = 0;
  uint64_t next_nonce_ = 1;
  std::optional<InFlight> in_flight_;
  std::optional<uint64_t> nacked_version_;
};

}  // namespace rackboot::controller::push
