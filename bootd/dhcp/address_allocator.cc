#include "bootd/dhcp/address_allocator.h"

namespace rackboot::bootd::dhcp {

bool ClientKey::Owns(const Lease& lease) const {
  if (!client_id.empty() && !lease.client_id.empty()) return client_id == lease.client_id;
  return mac == lease.mac;
}

const DhcpPoolConfig* AddressAllocator::PoolContaining(Ipv4Address ip) const {
  for (const auto& pool : config_.pools) {
    if (pool.subnet.Contains(ip)) return &pool;
  }
  return nullptr;
}

const DhcpPoolConfig* AddressAllocator::PoolFor(Ipv4Address giaddr) const {
  // RFC 2131 §4.3.1: a relayed request gets an address from giaddr's subnet.
  return PoolContaining(giaddr.IsZero() ? config_.server_address : giaddr);
}

bool AddressAllocator::Available(Ipv4Address ip, const ClientKey& client, int64_t now,
                                 const ReservedAddresses& reserved) const {
  if (reserved.TakenByOther(ip)) return false;
  if (ip == config_.server_address) return false;
  if (auto h = holds_.find(ip); h != holds_.end() && h->second.mac != client.mac && h->second.expires > now) {
    return false;
  }
  auto lease = leases_.FindByIp(ip);
  if (!lease) return true;
  switch (lease->state) {
    case LeaseState::kReleased: return true;
    case LeaseState::kDeclined:  // quarantined until expires_unix
      return lease->expires_unix <= now;
    case LeaseState::kActive:
    case LeaseState::kOffered: return client.Owns(*lease) || lease->expires_unix <= now;
  }
  return false;
}

std::optional<Ipv4Address> AddressAllocator::FindFree(const DhcpPoolConfig& pool, const ClientKey& client, int64_t now,
                                                      const ReservedAddresses& reserved) {
  const uint64_t size = uint64_t{pool.range_end.value()} - pool.range_start.value() + 1;
  uint32_t& cursor = cursor_[&pool];
  for (uint64_t i = 0; i < size; ++i) {
    uint32_t offset = static_cast<uint32_t>((cursor + i) % size);
    Ipv4Address ip(pool.range_start.value() + offset);
    // Skip the network and broadcast addresses of the subnet.
    if ((ip.value() & ~pool.subnet.Mask()) == 0 || (ip.value() | pool.subnet.Mask()) == 0xffffffffu) continue;
    if (Available(ip, client, now, reserved)) {
      cursor = static_cast<uint32_t>((offset + 1) % size);
      return ip;
    }
  }
  return std::nullopt;
}

void AddressAllocator::Hold(Ipv4Address ip, const MacAddress& mac, int64_t now) {
  DropHold(mac);
  const int64_t expires = now + config_.offer_hold_seconds;
  holds_[ip] = {mac, expires};
  hold_by_mac_[mac] = ip;
  hold_expiry_.emplace_back(expires, ip);
  // Expired holds leave in the order they were made (every hold lasts
  // offer_hold_seconds), so cleanup is O(1) per hold; entries of holds that
  // were dropped or renewed since are skipped.
  while (!hold_expiry_.empty() && hold_expiry_.front().first <= now) {
    auto [when, old_ip] = hold_expiry_.front();
    hold_expiry_.pop_front();
    auto h = holds_.find(old_ip);
    if (h == holds_.end() || h->second.expires != when) continue;
    if (auto m = hold_by_mac_.find(h->second.mac); m != hold_by_mac_.end() && m->second == old_ip) {
      hold_by_mac_.erase(m);
    }
    holds_.erase(h);
  }
}

std::optional<Ipv4Address> AddressAllocator::HeldFor(const MacAddress& mac, int64_t now) const {
  auto it = hold_by_mac_.find(mac);
  if (it == hold_by_mac_.end()) return std::nullopt;
  auto h = holds_.find(it->second);
  if (h == holds_.end() || h->second.expires <= now) return std::nullopt;
  return it->second;
}

void AddressAllocator::DropHold(const MacAddress& mac) {
  auto it = hold_by_mac_.find(mac);
  if (it == hold_by_mac_.end()) return;
  auto h = holds_.find(it->second);
  if (h != holds_.end() && h->second.mac == mac) holds_.erase(h);
  hold_by_mac_.erase(it);
}

}  // namespace rackboot::bootd::dhcp
