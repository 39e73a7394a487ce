#include "bootd/dhcp/discovered_clients.h"

namespace rackboot::bootd::dhcp {

void DiscoveredClients::Record(const MacAddress& mac, const std::string& fingerprint, Ipv4Address giaddr,
                               int64_t now_unix) {
  std::lock_guard lock(mu_);
  auto it = by_mac_.find(mac);
  if (it == by_mac_.end()) {
    if (by_mac_.size() >= capacity_) {
      auto oldest = by_mac_.begin();
      for (auto i = by_mac_.begin(); i != by_mac_.end(); ++i) {
        if (i->second.last_seen_unix < oldest->second.last_seen_unix) oldest = i;
      }
      by_mac_.erase(oldest);
    }
    it = by_mac_.emplace(mac, DiscoveredClient{mac, now_unix, now_unix, "", {}, 0}).first;
  }
  it->second.last_seen_unix = now_unix;
  it->second.fingerprint = fingerprint;
  it->second.giaddr = giaddr;
  ++it->second.packets;
}

std::vector<DiscoveredClient> DiscoveredClients::All() const {
  std::lock_guard lock(mu_);
  std::vector<DiscoveredClient> out;
  out.reserve(by_mac_.size());
  for (const auto& [mac, c] : by_mac_) out.push_back(c);
  return out;
}

size_t DiscoveredClients::size() const {
  std::lock_guard lock(mu_);
  return by_mac_.size();
}

}  // namespace rackboot::bootd::dhcp
