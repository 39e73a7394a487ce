#include "bootd/assignments/assignment_store.h"

namespace rackboot::bootd {

void AssignmentStore::IndexLocked(const Ptr& a) {
  by_name_[a->machine_name] = a;
  for (const auto& i : a->interfaces) by_mac_[i.mac] = a;
  if (!a->uuid.empty()) by_uuid_[a->uuid] = a;
}

void AssignmentStore::UnindexLocked(const Ptr& ref) {
  // Callers pass the by_name_ entry itself; erasing it would free what `ref`
  // refers to, so hold our own reference first.
  const Ptr a = ref;
  by_name_.erase(a->machine_name);
  for (const auto& i : a->interfaces) {
    auto it = by_mac_.find(i.mac);
    if (it != by_mac_.end() && it->second == a) by_mac_.erase(it);
  }
  if (!a->uuid.empty()) {
    auto it = by_uuid_.find(a->uuid);
    if (it != by_uuid_.end() && it->second == a) by_uuid_.erase(it);
  }
}

void AssignmentStore::ReplaceAll(std::vector<Assignment> assignments) {
  std::lock_guard<std::mutex> lock(mu_);
  by_name_.clear();
  by_mac_.clear();
  by_uuid_.clear();
  for (auto& a : assignments) IndexLocked(std::make_shared<const Assignment>(std::move(a)));
  ++revision_;
}

void AssignmentStore::Upsert(Assignment assignment) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(assignment.machine_name);
  if (it != by_name_.end()) UnindexLocked(it->second);
  IndexLocked(std::make_shared<const Assignment>(std::move(assignment)));
  ++revision_;
}

void AssignmentStore::Remove(const std::string& machine_name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(machine_name);
  if (it == by_name_.end()) return;
  UnindexLocked(it->second);
  ++revision_;
}

void AssignmentStore::SetDefault(std::optional<Assignment> fallback) {
  std::lock_guard<std::mutex> lock(mu_);
  default_ = fallback ? std::make_shared<const Assignment>(std::move(*fallback)) : nullptr;
  ++revision_;
}

AssignmentStore::Ptr AssignmentStore::Default() const {
  std::lock_guard<std::mutex> lock(mu_);
  return default_;
}

AssignmentStore::Ptr AssignmentStore::FindByMac(const MacAddress& mac) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_mac_.find(mac);
  return it == by_mac_.end() ? default_ : it->second;
}

AssignmentStore::Ptr AssignmentStore::FindByUuid(const std::string& uuid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_uuid_.find(uuid);
  return it == by_uuid_.end() ? nullptr : it->second;
}

AssignmentStore::Ptr AssignmentStore::FindByName(const std::string& machine_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_name_.find(machine_name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<AssignmentStore::Ptr> AssignmentStore::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Ptr> out;
  out.reserve(by_name_.size());
  for (const auto& [name, a] : by_name_) out.push_back(a);
  return out;
}

size_t AssignmentStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_name_.size();
}

uint64_t AssignmentStore::revision() const {
  std::lock_guard<std::mutex> lock(mu_);
  return revision_;
}

}  // namespace rackboot::bootd
