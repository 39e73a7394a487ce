#include "bootd/agent/boot_once_guard.h"

#include <set>

#include "resolve/netboot_decision.h"

namespace rackboot::bootd::agent {

BootOnceGuard::BootOnceGuard(const std::string& path) : records_(path) {}

namespace {

std::optional<resolve::ProvisionRecord> Find(const ProvisionedRecords::Map& records, const std::string& machine) {
  auto it = records.find(machine);
  if (it == records.end()) return std::nullopt;
  return it->second;
}

void ApplyRecord(const ProvisionedRecords::Map& records, Assignment* a) {
  if (a->allow_pxe && resolve::BootOnceCompleted(a->boot_once, a->reprovision, Find(records, a->machine_name))) {
    a->allow_pxe = false;
  }
}

}  // namespace

Assignment BootOnceGuard::Applied(Assignment a) const {
  ApplyRecord(records_.Snapshot(), &a);
  return a;
}

// One copy of the records for the whole update (a rack's full snapshot).
void BootOnceGuard::Apply(std::vector<Assignment>* assignments) const {
  const ProvisionedRecords::Map records = records_.Snapshot();
  for (Assignment& a : *assignments) ApplyRecord(records, &a);
}

Result<bool> BootOnceGuard::Record(const BootEvent& e) {
  if (e.stage != BootStage::kBooted || e.machine_name.empty()) return false;
  return records_.Record(e.machine_name, {e.reprovision, static_cast<int64_t>(e.generation), e.unix_millis});
}

Result<bool> BootOnceGuard::Forget(const std::vector<std::string>& removed) {
  return records_.Forget(removed);
}

Result<bool> BootOnceGuard::KeepOnly(const std::vector<Assignment>& full) {
  std::set<std::string> pushed;
  for (const Assignment& a : full) pushed.insert(a.machine_name);
  std::vector<std::string> gone;
  for (const auto& [name, record] : records_.Snapshot()) {
    if (!pushed.count(name)) gone.push_back(name);
  }
  return gone.empty() ? Result<bool>(false) : records_.Forget(gone);
}

std::vector<BootEvent> BootOnceGuard::Unacknowledged(const std::vector<v1alpha1::HostAssignment>& pushed) const {
  std::vector<BootEvent> out;
  const ProvisionedRecords::Map records = records_.Snapshot();
  for (const auto& a : pushed) {
    if (!a.allow_pxe() || !a.boot_once()) continue;
    const std::optional<resolve::ProvisionRecord> r = Find(records, a.machine_name());
    if (!resolve::BootOnceCompleted(true, a.reprovision(), r)) continue;
    BootEvent e;
    e.stage = BootStage::kBooted;
    e.machine_name = a.machine_name();
    for (const auto& i : a.interfaces()) {
      auto mac = MacAddress::Parse(i.mac());
      if (mac && (i.primary() || e.mac == MacAddress())) e.mac = *mac;
    }
    e.unix_millis = r->unix_millis;
    e.reprovision = r->reprovision;
    e.generation = static_cast<uint64_t>(r->generation);
    e.detail = "booted callback recorded before bootd restarted, sent again";
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace rackboot::bootd::agent
