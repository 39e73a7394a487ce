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
  RemoveFrom(any_by_mac_, old.lease.mac, old.seq);
  if (!old.lease.client_id.empty()) RemoveFrom(any_by_client_id_, old.lease.client_id, old.seq);
  if (HoldsAddress(old.lease)) {
    RemoveFrom(holding_by_mac_, old.lease.mac, old.seq);
    if (!old.lease.client_id.empty()) RemoveFrom(holding_by_client_id_, old.lease.client_id, old.seq);
  }
  by_ip_.erase(it);
}

void LeaseIndex::Apply(const Lease& lease, uint64_t seq) {
  Erase(lease.ip);
  by_ip_[lease.ip] = Entry{lease, seq};
  any_by_mac_[lease.mac][seq] = lease.ip;
  if (!lease.client_id.empty()) any_by_client_id_[lease.client_id][seq] = lease.ip;
  if (HoldsAddress(lease)) {
    holding_by_mac_[lease.mac][seq] = lease.ip;
    if (!lease.client_id.empty()) holding_by_client_id_[lease.client_id][seq] = lease.ip;
  }
}

const Lease* LeaseIndex::FindByIp(Ipv4Address ip) const {
  auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? nullptr : &it->second.lease;
}

template <typename Key>
const Lease* LeaseIndex::Latest(const SeqIndex<Key>& holding, const SeqIndex<Key>& any, const Key& key,
                                uint64_t* seq) const {
  for (const SeqIndex<Key>* index : {&holding, &any}) {
    auto it = index->find(key);
    if (it == index->end()) continue;
    const auto& [latest_seq, ip] = *it->second.rbegin();
    if (seq) *seq = latest_seq;
    return FindByIp(ip);
  }
  return nullptr;
}

const Lease* LeaseIndex::FindByMac(const MacAddress& mac, uint64_t* seq) const {
  return Latest(holding_by_mac_, any_by_mac_, mac, seq);
}

const Lease* LeaseIndex::FindByClientId(const std::string& client_id, uint64_t* seq) const {
  return Latest(holding_by_client_id_, any_by_client_id_, client_id, seq);
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
