#include "bootd/agent/boot_once_guard.h"

#include <set>

#include "resolve/netboot_decision.h"

namespace rackboot::bootd::agent {

BootOnceGuard::BootOnceGuard(const std::string& path) : records_(path) {}

std::optional<resolve::ProvisionRecord> BootOnceGuard::Find(const std::string& machine) const {
  const ProvisionedRecords::Map all = records_.Snapshot();
  auto it = all.find(machine);
  if (it == all.end()) return std::nullopt;
  return it->second;
}

Assignment BootOnceGuard::Applied(Assignment a) const {
  if (a.allow_pxe && resolve::BootOnceCompleted(a.boot_once, a.reprovision, Find(a.machine_name))) {
    a.allow_pxe = false;
  }
  return a;
}

void BootOnceGuard::Apply(std::vector<Assignment>* assignments) const {
  for (Assignment& a : *assignments) a = Applied(std::move(a));
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
  for (const auto& a : pushed) {
    if (!a.allow_pxe() || !a.boot_once()) continue;
    const std::optional<resolve::ProvisionRecord> r = Find(a.machine_name());
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
