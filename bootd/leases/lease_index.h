#pragma once
// LeaseIndex: the in-memory lease table with lookups by IP, MAC and client
// id. Not thread-safe; the stores lock around it.
//
// Semantics shared by every LeaseStore:
//   - one lease per IP: a new lease for an IP replaces the old one, whatever
//     its MAC or state (the server decided; the store records);
//   - FindByMac / FindByClientId return the most recently committed lease of
//     that client that still holds its address (kActive or kOffered);
//     released and declined leases stay visible by IP only, so the server can
//     hand a returning client its previous address (RFC 2131 §4.3.1) and keep
//     declined addresses quarantined.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bootd/leases/lease.h"

namespace rackboot::bootd {

class LeaseIndex {
 public:
  // `seq` orders commits; a larger seq is more recent.
  void Apply(const Lease& lease, uint64_t seq);
  void Erase(Ipv4Address ip);

  const Lease* FindByIp(Ipv4Address ip) const;
  // With the commit seq of the answer, so two indexes can be merged.
  const Lease* FindByMac(const MacAddress& mac, uint64_t* seq = nullptr) const;
  const Lease* FindByClientId(const std::string& client_id, uint64_t* seq = nullptr) const;

  void ForEach(const std::function<void(const Lease&)>& fn) const;  // IP order
  std::vector<Lease> InCommitOrder() const;                         // oldest first
  size_t size() const { return by_ip_.size(); }

 private:
  struct Entry {
    Lease lease;
    uint64_t seq = 0;
  };
  static bool HoldsAddress(const Lease& lease) {
    return lease.state == LeaseState::kActive || lease.state == LeaseState::kOffered;
  }

  std::map<Ipv4Address, Entry> by_ip_;
  // Only leases that hold their address; inner key is the commit seq.
  std::map<MacAddress, std::map<uint64_t, Ipv4Address>> by_mac_;
  std::map<std::string, std::map<uint64_t, Ipv4Address>> by_client_id_;
};

}  // namespace rackboot::bootd
