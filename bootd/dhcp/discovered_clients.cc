#include "bootd/dhcp/discovered_clients.h"

namespace rackboot::bootd::dhcp {

void DiscoveredClients::Record(const MacAddress& mac, const std::string& fingerprint, Ipv4Address giaddr,
                               int64_t now_unix) {
  std::lock_guard lock(mu_);
  auto it = by_mac_.find(mac);
  if (it == by_mac_.end()) {
    if (by_mac_.size() >= capacity_ && !recent_.empty()) {
      by_mac_.erase(recent_.back().mac);
      recent_.pop_back();
    }
    recent_.push_front(DiscoveredClient{mac, now_unix, now_unix, "", {}, 0});
    it = by_mac_.emplace(mac, recent_.begin()).first;
  } else {
    recent_.splice(recent_.begin(), recent_, it->second);
  }
  DiscoveredClient& c = *it->second;
  c.last_seen_unix = now_unix;
  if (c.fingerprint != fingerprint) c.fingerprint = fingerprint;
  c.giaddr = giaddr;
  ++c.packets;
}

std::vector<DiscoveredClient> DiscoveredClients::All() const {
  std::lock_guard lock(mu_);
  std::vector<DiscoveredClient> out;
  out.reserve(by_mac_.size());
  for (const auto& [mac, c] : by_mac_) out.push_back(*c);
  return out;
}

size_t DiscoveredClients::size() const {
  std::lock_guard lock(mu_);
  return by_mac_.size();
}

}  // namespace rackboot::bootd::dhcp
