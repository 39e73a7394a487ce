#pragma once
// LeaseStore: where DHCP keeps its bindings. The server asks for a lease to
// be made durable before it sends the ACK (RFC 2131 §4.3.2: the server must
// commit the binding before responding). Implementations:
//   MemoryLeaseStore  - tests, and leases-on-tmpfs benchmarks
//   JournalLeaseStore - write-ahead append log with checksums, compaction and
//                       group-commit fsync (lease_journal.h)

#include <functional>
#include <optional>
#include <vector>

#include "bootd/leases/lease.h"
#include "common/result.h"

namespace rackboot::bootd {

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  // Records the lease (insert or replace by IP). When this returns ok the
  // lease survives kill -9 (subject to the configured fsync policy).
  virtual Status Commit(const Lease& lease) = 0;
  // Several commits made durable together (one fsync): the group-commit path.
  virtual Status CommitBatch(const std::vector<Lease>& leases) = 0;
  // Group commit across a batch of DHCP requests: records the lease now
  // (lookups see it at once) without waiting for durability; Flush() makes
  // every lease recorded so far durable with one sync. A reply that depends
  // on a deferred commit must not leave before Flush() returned ok (RFC 2131
  // §4.3.2). Stores without a sync step commit at once.
  virtual Status CommitDeferred(const Lease& lease) { return Commit(lease); }
  virtual Status Flush() { return {}; }

  virtual std::optional<Lease> FindByIp(Ipv4Address ip) const = 0;
  // Latest active lease for this MAC; when it has none, its latest lease in
  // any state still bound to it (its previous address, RFC 2131 §4.3.1).
  virtual std::optional<Lease> FindByMac(const MacAddress& mac) const = 0;
  virtual std::optional<Lease> FindByClientId(const std::string& client_id) const = 0;
  virtual void ForEach(const std::function<void(const Lease&)>& fn) const = 0;
  virtual size_t size() const = 0;
};

}  // namespace rackboot::bootd
