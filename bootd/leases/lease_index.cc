#include "bootd/leases/lease_index.h"

#include <algorithm>

namespace rackboot::bootd {
namespace {

template <typename Key>
void RemoveFrom(std::map<Key, std::map<uint64_t, Ipv4Address>>& index, const Key& key, uint64_t seq) {
  auto it = index.find(key);
  if (it == index.end()) return;
  it->second.erase(seq);
  if (it->second.empty()) index.erase(it);
}

}  // namespace

void LeaseIndex::Erase(Ipv4Address ip) {
  auto it = by_ip_.find(ip);
  if (it == by_ip_.end()) return;
  const Entry& old = it->second;
  if (HoldsAddress(old.lease)) {
    RemoveFrom(by_mac_, old.lease.mac, old.seq);
    if (!old.lease.client_id.empty()) RemoveFrom(by_client_id_, old.lease.client_id, old.seq);
  }
  by_ip_.erase(it);
}

void LeaseIndex::Apply(const Lease& lease, uint64_t seq) {
  Erase(lease.ip);
  by_ip_[lease.ip] = Entry{lease, seq};
  if (HoldsAddress(lease)) {
    by_mac_[lease.mac][seq] = lease.ip;
    if (!lease.client_id.empty()) by_client_id_[lease.client_id][seq] = lease.ip;
  }
}

const Lease* LeaseIndex::FindByIp(Ipv4Address ip) const {
  auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? nullptr : &it->second.lease;
}

const Lease* LeaseIndex::FindByMac(const MacAddress& mac, uint64_t* seq) const {
  auto it = by_mac_.find(mac);
  if (it == by_mac_.end()) return nullptr;
  const auto& [latest_seq, ip] = *it->second.rbegin();
  if (seq) *seq = latest_seq;
  return FindByIp(ip);
}

const Lease* LeaseIndex::FindByClientId(const std::string& client_id, uint64_t* seq) const {
  auto it = by_client_id_.find(client_id);
  if (it == by_client_id_.end()) return nullptr;
  const auto& [latest_seq, ip] = *it->second.rbegin();
  if (seq) *seq = latest_seq;
  return FindByIp(ip);
}

void LeaseIndex::ForEach(const std::function<void(const Lease&)>& fn) const {
  for (const auto& [ip, entry] : by_ip_) fn(entry.lease);
}

std::vector<Lease> LeaseIndex::InCommitOrder() const {
  std::vector<const Entry*> entries;
  entries.reserve(by_ip_.size());
  for (const auto& [ip, entry] : by_ip_) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) { return a->seq < b->seq; });
  std::vector<Lease> out;
  out.reserve(entries.size());
  for (const Entry* e : entries) out.push_back(e->lease);
  return out;
}

}  // namespace rackboot::bootd
