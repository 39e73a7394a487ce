#include "controller/reconcile/ip_allocator.h"

namespace rackboot::controller {

IpAllocator::IpAllocator(std::vector<RackNetwork> racks) : racks_(std::move(racks)) {}

const RackNetwork* IpAllocator::Rack(const std::string& name) const {
  for (const auto& r : racks_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

bool IpAllocator::InPool(const RackNetwork& rack, Ipv4Address ip) const {
  return rack.has_pool && rack.pool_start <= ip && ip <= rack.pool_end;
}

bool IpAllocator::Claim(Ipv4Address ip, const std::string& owner) {
  auto [it, inserted] = owner_of_.emplace(ip, owner);
  if (!inserted) return it->second == owner;
  held_by_[owner].insert(ip);
  return true;
}

void IpAllocator::Release(const std::string& owner) {
  auto it = held_by_.find(owner);
  if (it == held_by_.end()) return;
  for (Ipv4Address ip : it->second) owner_of_.erase(ip);
  held_by_.erase(it);
}

void IpAllocator::ReleaseIp(Ipv4Address ip, const std::string& owner) {
  auto it = owner_of_.find(ip);
  if (it == owner_of_.end() || it->second != owner) return;
  owner_of_.erase(it);
  auto h = held_by_.find(owner);
  if (h != held_by_.end()) {
    h->second.erase(ip);
    if (h->second.empty()) held_by_.erase(h);
  }
}

std::optional<std::string> IpAllocator::Owner(Ipv4Address ip) const {
  auto it = owner_of_.find(ip);
  if (it == owner_of_.end()) return std::nullopt;
  return it->second;
}

std::vector<Ipv4Address> IpAllocator::OwnedBy(const std::string& owner) const {
  auto it = held_by_.find(owner);
  if (it == held_by_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::optional<Ipv4Address> IpAllocator::NextFree(const RackNetwork& rack) const {
  if (!rack.has_pool) return std::nullopt;
  // Walk the pool and the (sorted) owned set together: O(pool) worst case,
  // fine for rack-sized pools.
  uint32_t candidate = rack.pool_start.value();
  auto it = owner_of_.lower_bound(rack.pool_start);
  while (candidate <= rack.pool_end.value()) {
    if (it == owner_of_.end() || it->first.value() != candidate) return Ipv4Address(candidate);
    ++it;
    if (candidate == UINT32_MAX) break;
    ++candidate;
  }
  return std::nullopt;
}

void IpAllocator::Clear() {
  owner_of_.clear();
  held_by_.clear();
}

}  // namespace rackboot::controller
