#include "bootd/dhcp/packet_queue.h"

namespace rackboot::bootd::dhcp {

bool PacketQueue::Push(ReceivedPacket packet) {
  bool dropped = false;
  {
    std::lock_guard lock(mu_);
    if (q_.size() >= capacity_) {
      q_.pop_front();
      dropped = true;
    }
    q_.push_back(std::move(packet));
  }
  cv_.notify_one();
  return !dropped;
}

std::optional<ReceivedPacket> PacketQueue::Pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !q_.empty(); });
  if (q_.empty()) return std::nullopt;
  ReceivedPacket p = std::move(q_.front());
  q_.pop_front();
  return p;
}

bool PacketQueue::PopBatch(std::vector<ReceivedPacket>* out, size_t max) {
  out->clear();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !q_.empty(); });
  while (!q_.empty() && out->size() < max) {
    out->push_back(std::move(q_.front()));
    q_.pop_front();
  }
  return !out->empty();
}

void PacketQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t PacketQueue::size() const {
  std::lock_guard lock(mu_);
  return q_.size();
}

}  // namespace rackboot::bootd::dhcp
