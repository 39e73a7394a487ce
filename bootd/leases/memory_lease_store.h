#pragma once
// MemoryLeaseStore: LeaseStore kept only in memory (tests, and the
// leases-on-tmpfs style benchmark). Nothing survives a restart.

#include <map>
#include <mutex>
#include <string>

#include "bootd/leases/lease_store.h"

namespace rackboot::bootd {

class MemoryLeaseStore : public LeaseStore {
 public:
  Status Commit(const Lease& lease) override;
  Status CommitBatch(const std::vector<Lease>& leases) override;
  std::optional<Lease> FindByIp(Ipv4Address ip) const override;
  std::optional<Lease> FindByMac(const MacAddress& mac) const override;
  std::optional<Lease> FindByClientId(const std::string& client_id) const override;
  void ForEach(const std::function<void(const Lease&)>& fn) const override;
  size_t size() const override;

 private:
  void CommitLocked(const Lease& lease);

  mutable std::mutex mu_;
  std::map<Ipv4Address, Lease> by_ip_;
  std::map<MacAddress, Ipv4Address> by_mac_;         // most recent commit for the MAC
  std::map<std::string, Ipv4Address> by_client_id_;  // most recent commit for the client id
};

}  // namespace rackboot::bootd
