#pragma once
// ReadOnlyLeases: a LeaseStore view that reads another store (or nothing)
// and refuses every write. `bootd explain` runs the real DhcpEngine on it:
// a DISCOVER only reads leases, and should a code path ever try to commit,
// the running bootd's leases stay untouched (the engine reports a lease
// store error instead).

#include "bootd/leases/lease_store.h"

namespace rackboot::bootd::explain {

class ReadOnlyLeases : public LeaseStore {
 public:
  explicit ReadOnlyLeases(const LeaseStore* leases) : leases_(leases) {}
  Status Commit(const Lease&) override { return Error{"explain does not change leases"}; }
  Status CommitBatch(const std::vector<Lease>&) override { return Error{"explain does not change leases"}; }
  std::optional<Lease> FindByIp(Ipv4Address ip) const override {
    return leases_ ? leases_->FindByIp(ip) : std::nullopt;
  }
  std::optional<Lease> FindByMac(const MacAddress& mac) const override {
    return leases_ ? leases_->FindByMac(mac) : std::nullopt;
  }
  std::optional<Lease> FindByClientId(const std::string& client_id) const override {
    return leases_ ? leases_->FindByClientId(client_id) : std::nullopt;
  }
  void ForEach(const std::function<void(const Lease&)>& fn) const override {
    if (leases_) leases_->ForEach(fn);
  }
  size_t size() const override { return leases_ ? leases_->size() : 0; }

 private:
  const LeaseStore* leases_;
};

}  // namespace rackboot::bootd::explain
