#pragma once
// PacketQueue: bounded hand-off from the receive thread to the DHCP worker.
// Under overload the OLDEST packet is dropped (issue 3): a client that
// waited longest has most likely retransmitted already, so the newest
// packets are the ones worth answering.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

struct ReceivedPacket {
  std::vector<uint8_t> bytes;
  uint16_t local_port = 0;
  Ipv4Address source_ip;
  uint16_t source_port = 0;
  int64_t received_millis = 0;  // steady clock, when the receive thread read it
};

class PacketQueue {
 public:
  explicit PacketQueue(size_t capacity) : capacity_(capacity) {}
  // Returns false when an older packet had to be dropped to make room.
  bool Push(ReceivedPacket packet);
  // Blocks until a packet is available or Close() was called (nullopt).
  std::optional<ReceivedPacket> Pop();
  // Blocks like Pop(), then moves up to `max` packets (oldest first) into
  // `out` (cleared first): the worker handles a batch and commits its leases
  // with one sync. False once closed and empty.
  bool PopBatch(std::vector<ReceivedPacket>* out, size_t max);
  void Close();
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ReceivedPacket> q_;
  bool closed_ = false;
};

}  // namespace rackboot::bootd::dhcp
