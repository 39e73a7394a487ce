#pragma once
// Which IPv4 address belongs to which Machine. The durable record is each
// Machine's status.ipv4; this table is rebuilt from all Machines (a fresh
// list, not the cache) whenever this replica becomes leader, and only the
// leader allocates, so an address is never handed out twice across restarts
// or replicas. A Machine's finalizer releases its address on delete.
// Not thread-safe: the controller serialises allocation.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/net_address.h"
#include "common/result.h"
#include "controller/config/controller_config.h"

namespace rackboot::controller {

class IpAllocator {
 public:
  explicit IpAllocator(std::vector<RackNetwork> racks);

  const RackNetwork* Rack(const std::string& name) const;
  bool InPool(const RackNetwork& rack, Ipv4Address ip) const;

  // Records that `owner` holds `ip` (static or from a pool). False if
  // another owner holds it already (the table is unchanged).
  bool Claim(Ipv4Address ip, const std::string& owner);
  // Releases every address `owner` holds.
  void Release(const std::string& owner);
  // Releases one address if `owner` holds it.
  void ReleaseIp(Ipv4Address ip, const std::string& owner);

  std::optional<std::string> Owner(Ipv4Address ip) const;
  std::vector<Ipv4Address> OwnedBy(const std::string& owner) const;
  // The lowest free address of the rack's pool, or nullopt if exhausted.
  std::optional<Ipv4Address> NextFree(const RackNetwork& rack) const;

  void Clear();
  size_t size() const { return owner_of_.size(); }

 private:
  std::vector<RackNetwork> racks_;
  std::map<Ipv4Address, std::string> owner_of_;
  std::map<std::string, std::set<Ipv4Address>> held_by_;
};

}  // namespace rackboot::controller
