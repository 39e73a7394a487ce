#pragma once
// IcmpProber: the socket half of the optional pool-address probe
// (dhcp.pingCheckMillis). One raw ICMP socket bound to the rack interface;
// Probe() pings a batch of addresses at once and waits up to the timeout
// for their echo replies, so a batch of new clients costs one wait, not
// one each. Used by the DHCP worker thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/net_address.h"
#include "common/result.h"

namespace rackboot::bootd::dhcp {

class IcmpProber {
 public:
  // Needs CAP_NET_RAW.
  static Result<std::unique_ptr<IcmpProber>> Open(const std::string& interface);
  ~IcmpProber();
  IcmpProber(const IcmpProber&) = delete;
  IcmpProber& operator=(const IcmpProber&) = delete;

  // The addresses among `ips` that answered within `timeout`.
  std::set<Ipv4Address> Probe(const std::vector<Ipv4Address>& ips, std::chrono::milliseconds timeout);

 private:
  explicit IcmpProber(int fd, uint16_t id) : fd_(fd), id_(id) {}
  int fd_;
  uint16_t id_;  // echo identifier: tells our replies from other pingers'
  uint16_t seq_ = 0;
};

}  // namespace rackboot::bootd::dhcp
