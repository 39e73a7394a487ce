#pragma once
// AssignmentStore: the set of Assignments bootd currently serves, shared by
// DHCP, TFTP and HTTP. Readers get immutable snapshots (shared_ptr) so a
// reload never changes an assignment under a request in flight.

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
  void IndexLocked(const Ptr& a);
  void UnindexLocked(const Ptr& a);

  mutable std::mutex mu_;
  std::map<std::string, Ptr> by_name_;
  std::map<MacAddress, Ptr> by_mac_;
  std::map<std::string, Ptr> by_uuid_;
  Ptr default_;
  uint64_t revision_ = 0;
};

}  // namespace rackboot::bootd
