#include "bootd/assignments/assignment_store.h"

namespace rackboot::bootd {

void AssignmentStore::Index::Add(const Ptr& a) {
  Erase(a->machine_name);
  by_name[a->machine_name] = a;
  for (const auto& i : a->interfaces) by_mac[i.mac] = a;
  if (!a->uuid.empty()) by_uuid[a->uuid] = a;
}

void AssignmentStore::Index::Erase(const std::string& machine_name) {
  auto it = by_name.find(machine_name);
  if (it == by_name.end()) return;
  const Ptr a = it->second;
  by_name.erase(it);
  for (const auto& i : a->interfaces) {
    auto m = by_mac.find(i.mac);
    if (m != by_mac.end() && m->second == a) by_mac.erase(m);
  }
  if (!a->uuid.empty()) {
    auto u = by_uuid.find(a->uuid);
    if (u != by_uuid.end() && u->second == a) by_uuid.erase(u);
  }
}

AssignmentStore::IndexPtr AssignmentStore::Current() const {
  std::lock_guard<std::mutex> lock(read_mu_);
  return index_;
}

void AssignmentStore::Swap(std::shared_ptr<Index> next) {
  ++next->revision;
  IndexPtr old;
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    old = std::move(index_);
    index_ = std::move(next);
  }
  // `old` is freed here, outside the readers' lock (or later by the last reader).
}

void AssignmentStore::ReplaceAll(std::vector<Assignment> assignments) {
  std::lock_guard<std::mutex> lock(write_mu_);
  const IndexPtr cur = Current();
  auto next = std::make_shared<Index>();
  next->fallback = cur->fallback;
  next->revision = cur->revision;
  for (auto& a : assignments) next->Add(std::make_shared<const Assignment>(std::move(a)));
  Swap(std::move(next));
}

void AssignmentStore::Apply(const std::vector<std::string>& removals, std::vector<Assignment> upserts) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto next = std::make_shared<Index>(*Current());
  for (const auto& name : removals) next->Erase(name);
  for (auto& a : upserts) next->Add(std::make_shared<const Assignment>(std::move(a)));
  Swap(std::move(next));
}

void AssignmentStore::Upsert(Assignment assignment) {
  std::vector<Assignment> one;
  one.push_back(std::move(assignment));
  Apply({}, std::move(one));
}

void AssignmentStore::Remove(const std::string& machine_name) {
  Apply({machine_name}, {});
}

void AssignmentStore::SetDefault(std::optional<Assignment> fallback) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto next = std::make_shared<Index>(*Current());
  next->fallback = fallback ? std::make_shared<const Assignment>(std::move(*fallback)) : nullptr;
  Swap(std::move(next));
}

AssignmentStore::Ptr AssignmentStore::Default() const {
  return Current()->fallback;
}

AssignmentStore::Ptr AssignmentStore::FindByMac(const MacAddress& mac) const {
  const IndexPtr index = Current();
  auto it = index->by_mac.find(mac);
  return it == index->by_mac.end() ? index->fallback : it->second;
}

AssignmentStore::Ptr AssignmentStore::FindByUuid(const std::string& uuid) const {
  const IndexPtr index = Current();
  auto it = index->by_uuid.find(uuid);
  return it == index->by_uuid.end() ? nullptr : it->second;
}

AssignmentStore::Ptr AssignmentStore::FindByName(const std::string& machine_name) const {
  const IndexPtr index = Current();
  auto it = index->by_name.find(machine_name);
  return it == index->by_name.end() ? nullptr : it->second;
}

std::vector<AssignmentStore::Ptr> AssignmentStore::All() const {
  const IndexPtr index = Current();
  std::vector<Ptr> out;
  out.reserve(index->by_name.size());
  for (const auto& [name, a] : index->by_name) out.push_back(a);
  return out;
}

size_t AssignmentStore::size() const {
  return Current()->by_name.size();
}

uint64_t AssignmentStore::revision() const {
  return Current()->revision;
}

}  // namespace rackboot::bootd
