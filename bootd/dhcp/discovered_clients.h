#pragma once
// DiscoveredClients: DHCP clients bootd saw but has no assignment for
// (issue 3 "recorded as discovered"): MAC, first/last seen, a fingerprint of
// options 60/77/93/94/97/55, and the relay (giaddr) it came through.
// Bounded; the least recently seen entry goes first. Thread-safe.

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

struct DiscoveredClient {
  MacAddress mac;
  int64_t first_seen_unix = 0;
  int64_t last_seen_unix = 0;
  std::string fingerprint;
  Ipv4Address giaddr;
  uint64_t packets = 0;
};

class DiscoveredClients {
 public:
  explicit DiscoveredClients(size_t capacity = 4096) : capacity_(capacity) {}
  void Record(const MacAddress& mac, const std::string& fingerprint, Ipv4Address giaddr, int64_t now_unix);
  std::vector<DiscoveredClient> All() const;
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  // Most recently seen first: eviction takes the back in O(1) (a scan for
  // the oldest entry cost O(capacity) per new MAC under a DHCP storm).
  std::list<DiscoveredClient> recent_;
  std::map<MacAddress, std::list<DiscoveredClient>::iterator> by_mac_;
};

}  // namespace rackboot::bootd::dhcp
