#include "bootd/leases/memory_lease_store.h"

namespace rackboot::bootd {

void MemoryLeaseStore::CommitLocked(const Lease& lease) {
  auto old = by_ip_.find(lease.ip);
  if (old != by_ip_.end()) {
    // The address changes hands: drop the previous owner's index entries.
    auto m = by_mac_.find(old->second.mac);
    if (m != by_mac_.end() && m->second == lease.ip) by_mac_.erase(m);
    if (!old->second.client_id.empty()) {
      auto c = by_client_id_.find(old->second.client_id);
      if (c != by_client_id_.end() && c->second == lease.ip) by_client_id_.erase(c);
    }
  }
  by_ip_[lease.ip] = lease;
  by_mac_[lease.mac] = lease.ip;
  if (!lease.client_id.empty()) by_client_id_[lease.client_id] = lease.ip;
}

Status MemoryLeaseStore::Commit(const Lease& lease) {
  std::lock_guard lock(mu_);
  CommitLocked(lease);
  return Status::Ok();
}

Status MemoryLeaseStore::CommitBatch(const std::vector<Lease>& leases) {
  std::lock_guard lock(mu_);
  for (const Lease& l : leases) CommitLocked(l);
  return Status::Ok();
}

std::optional<Lease> MemoryLeaseStore::FindByIp(Ipv4Address ip) const {
  std::lock_guard lock(mu_);
  auto it = by_ip_.find(ip);
  if (it == by_ip_.end()) return std::nullopt;
  return it->second;
}

std::optional<Lease> MemoryLeaseStore::FindByMac(const MacAddress& mac) const {
  std::lock_guard lock(mu_);
  auto it = by_mac_.find(mac);
  if (it == by_mac_.end()) return std::nullopt;
  return by_ip_.at(it->second);
}

std::optional<Lease> MemoryLeaseStore::FindByClientId(const std::string& client_id) const {
  std::lock_guard lock(mu_);
  auto it = by_client_id_.find(client_id);
  if (it == by_client_id_.end()) return std::nullopt;
  return by_ip_.at(it->second);
}

void MemoryLeaseStore::ForEach(const std::function<void(const Lease&)>& fn) const {
  std::lock_guard lock(mu_);
  for (const auto& [ip, lease] : by_ip_) fn(lease);
}

size_t MemoryLeaseStore::size() const {
  std::lock_guard lock(mu_);
  return by_ip_.size();
}

}  // namespace rackboot::bootd
