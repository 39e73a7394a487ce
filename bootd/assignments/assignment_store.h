#pragma once
// AssignmentStore: the set of Assignments bootd currently serves, shared by
// DHCP, TFTP and HTTP. Readers get immutable snapshots (shared_ptr) so a
// reload never changes an assignment under a request in flight.
//
// Every write builds a new immutable index beside the current one and
// swaps it in at once, so an update (a full snapshot or a delta of many
// removals and upserts, assignment.proto) is atomic: a concurrent reader
// sees the whole old set or the whole new set, never a mix.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bootd/assignments/assignment.h"

namespace rackboot::bootd {

class AssignmentStore {
 public:
  using Ptr = std::shared_ptr<const Assignment>;

  // Replaces everything (full snapshot or a manifest reload).
  void ReplaceAll(std::vector<Assignment> assignments);
  // One delta: removals first, then upserts (replacing same-named ones),
  // applied as one swap.
  void Apply(const std::vector<std::string>& removals, std::vector<Assignment> upserts);
  void Upsert(Assignment assignment);
  void Remove(const std::string& machine_name);

  // Opt-in fallback for MACs no assignment lists (standalone's default
  // BootProfile, docs/standalone.md): FindByMac returns it for every unknown
  // MAC. It is not listed by All(), FindByName() or size(), and
  // ReplaceAll() keeps it. nullopt switches it off.
  void SetDefault(std::optional<Assignment> fallback);
  Ptr Default() const;

  // The machine with this MAC, else the default (nullptr when off).
  Ptr FindByMac(const MacAddress& mac) const;
  Ptr FindByUuid(const std::string& uuid) const;  // lowercase canonical form
  Ptr FindByName(const std::string& machine_name) const;
  std::vector<Ptr> All() const;
  size_t size() const;
  // Bumped on every change; lets caches know they are stale.
  uint64_t revision() const;

 private:
  struct Index {
    std::map<std::string, Ptr> by_name;
    std::map<MacAddress, Ptr> by_mac;
    std::map<std::string, Ptr> by_uuid;
    Ptr fallback;
    uint64_t revision = 0;

    void Add(const Ptr& a);
    void Erase(const std::string& machine_name);
  };
  using IndexPtr = std::shared_ptr<const Index>;

  IndexPtr Current() const;
  // Writers are serialised; each swaps in `next` in one step.
  void Swap(std::shared_ptr<Index> next);

  std::mutex write_mu_;         // one writer at a time builds the next index
  mutable std::mutex read_mu_;  // guards the pointer only, held for a copy
  IndexPtr index_ = std::make_shared<const Index>();
};

}  // namespace rackboot::bootd
