#pragma once
// AddressAllocator: chooses addresses from the configured pools in server
// mode and remembers short-lived offers (RFC 2131 §4.3.1: the server should
// reserve an offered address until the client's REQUEST or a timeout). The
// durable truth is the LeaseStore; offers are memory only.
// Not thread-safe: the DHCP worker thread owns it.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "bootd/config/bootd_config.h"
#include "bootd/leases/lease_store.h"

namespace rackboot::bootd::dhcp {

// Who is asking: RFC 2131 §4.2 identifies a client by option 61 when it
// sends one, else by chaddr.
struct ClientKey {
  MacAddress mac;
  std::string client_id;
  bool Owns(const Lease& lease) const;
};

// Addresses reserved for machines (ip -> machine name); `own` is the asking
// client's machine ("" when unknown): its own reservation is not taken.
struct ReservedAddresses {
  const std::map<Ipv4Address, std::string>* by_ip = nullptr;
  std::string own;
  bool TakenByOther(Ipv4Address ip) const {
    if (!by_ip) return false;
    auto it = by_ip->find(ip);
    return it != by_ip->end() && it->second != own;
  }
};

class AddressAllocator {
 public:
  AddressAllocator(const DhcpConfig& config, const LeaseStore& leases) : config_(config), leases_(leases) {}

  // The pool for a request: the one containing giaddr when relayed, else the
  // one containing our own address; nullptr when there is none.
  const DhcpPoolConfig* PoolFor(Ipv4Address giaddr) const;
  const DhcpPoolConfig* PoolContaining(Ipv4Address ip) const;
  static bool InRange(const DhcpPoolConfig& pool, Ipv4Address ip) {
    return pool.range_start <= ip && ip <= pool.range_end;
  }

  // May `client` have `ip` now? Not leased to someone else, not quarantined
  // after a DECLINE, not offered to someone else, not reserved for another
  // machine (`reserved`).
  bool Available(Ipv4Address ip, const ClientKey& client, int64_t now, const ReservedAddresses& reserved) const;
  // A free address in the pool's range, or nullopt when exhausted.
  std::optional<Ipv4Address> FindFree(const DhcpPoolConfig& pool, const ClientKey& client, int64_t now,
                                      const ReservedAddresses& reserved);

  void Hold(Ipv4Address ip, const MacAddress& mac, int64_t now);
  std::optional<Ipv4Address> HeldFor(const MacAddress& mac, int64_t now) const;
  void DropHold(const MacAddress& mac);

 private:
  struct OfferHold {
    MacAddress mac;
    int64_t expires = 0;
  };
  const DhcpConfig& config_;
  const LeaseStore& leases_;
  std::map<Ipv4Address, OfferHold> holds_;
  std::map<MacAddress, Ipv4Address> hold_by_mac_;
  std::deque<std::pair<int64_t, Ipv4Address>> hold_expiry_;  // (expires, ip) in the order held
  std::map<const DhcpPoolConfig*, uint32_t> cursor_;         // next offset to try per pool (spreads allocations)
};

}  // namespace rackboot::bootd::dhcp
