#pragma once
// LeaseIndex: the in-memory lease table with lookups by IP, MAC and client
// id. Not thread-safe; the stores lock around it.
//
// Semantics shared by every LeaseStore:
//   - one lease per IP: a new lease for an IP replaces the old one, whatever
//     its MAC or state (the server decided; the store records);
//   - FindByMac / FindByClientId return the client's most recently committed
//     lease that holds its address (kActive or kOffered); when it holds none,
//     its most recent lease in any state that no other client has taken
//     since, so the server can offer a returning client its previous address
//     (RFC 2131 §4.3.1). Released and declined leases stay in the table.

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

  template <typename Key>
  using SeqIndex = std::map<Key, std::map<uint64_t, Ipv4Address>>;  // inner key: commit seq
  template <typename Key>
  const Lease* Latest(const SeqIndex<Key>& holding, const SeqIndex<Key>& any, const Key& key, uint64_t* seq) const;

  std::map<Ipv4Address, Entry> by_ip_;
  SeqIndex<MacAddress> holding_by_mac_;  // kActive / kOffered only
  SeqIndex<MacAddress> any_by_mac_;      // every state
  SeqIndex<std::string> holding_by_client_id_;
  SeqIndex<std::string> any_by_client_id_;
};

}  // namespace rackboot::bootd
