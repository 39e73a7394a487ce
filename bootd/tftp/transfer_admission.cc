#include "bootd/tftp/transfer_admission.h"

namespace rackboot::bootd::tftp {

TransferAdmission::Verdict TransferAdmission::Arrive(uint64_t client, int64_t now_ms) {
  auto it = clients_.find(client);
  if (it != clients_.end()) {
    // A retransmission keeps a queued client alive.
    if (!it->second.active) it->second.last_seen_ms = now_ms;
    return Verdict::kDuplicate;
  }
  if (active_ < limits_.max_active && queue_.empty()) {
    clients_[client] = Entry{true, {}, now_ms};
    ++active_;
    return Verdict::kStart;
  }
  if (queue_.size() >= limits_.max_queued) {
    std::vector<uint64_t> expired;
    ExpireHead(now_ms, &expired);
    if (queue_.size() >= limits_.max_queued) return Verdict::kIgnored;
  }
  queue_.push_back(client);
  clients_[client] = Entry{false, std::prev(queue_.end()), now_ms};
  return Verdict::kQueued;
}

TransferAdmission::Next TransferAdmission::Finish(uint64_t client, int64_t now_ms) {
  Next next;
  auto it = clients_.find(client);
  if (it == clients_.end()) return next;
  if (it->second.active) {
    --active_;
  } else {
    queue_.erase(it->second.queued_at);
  }
  clients_.erase(it);
  ExpireHead(now_ms, &next.expired);
  // Expired clients behind the head stay until they reach it; each costs
  // one entry, bounded by max_queued.
  if (active_ < limits_.max_active && !queue_.empty()) {
    const uint64_t first = queue_.front();
    queue_.pop_front();
    Entry& e = clients_[first];
    e.active = true;
    ++active_;
    next.start = first;
  }
  return next;
}

void TransferAdmission::ExpireHead(int64_t now_ms, std::vector<uint64_t>* expired) {
  while (!queue_.empty()) {
    auto it = clients_.find(queue_.front());
    if (now_ms - it->second.last_seen_ms < limits_.queued_ttl_ms) return;
    expired->push_back(queue_.front());
    clients_.erase(it);
    queue_.pop_front();
  }
}

void TransferAdmission::Clear() {
  clients_.clear();
  queue_.clear();
  active_ = 0;
}

}  // namespace rackboot::bootd::tftp
