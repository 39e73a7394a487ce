#include "controller/reconcile/machine_decision.h"

#include "controller/progress/boot_state.h"
#include "controller/reconcile/machine_ready.h"
#include "resolve/host_assignment_resolver.h"
#include "resolve/netboot_decision.h"

namespace rackboot::controller {
namespace {

using model::Condition;

Condition Make(const char* type, bool ok, std::string reason, std::string message, int64_t generation) {
  return Condition{type, ok ? "True" : "False", std::move(reason), std::move(message), generation, ""};
}

struct AddressOutcome {
  Condition condition;
  std::optional<Ipv4Address> ip;
  // The rack has no pool (ProxyDHCP): the site's DHCP server gives the
  // address, so the machine is published without one.
  bool site_dhcp = false;
};

AddressOutcome DecideAddress(const model::Machine& m, const IpAllocator& ips, int64_t gen,
                             std::optional<Ipv4Address> current, const std::vector<std::string>& mac_taken_by) {
  const std::string key = m.meta.Key();
  if (!mac_taken_by.empty()) {
    return {Make(kConditionAssigned, false, "DuplicateMAC",
                 "a MAC of this machine is already used by Machine " + mac_taken_by.front() +
                     "; one NIC can belong to one Machine only",
                 gen),
            std::nullopt};
  }
  const model::MachineInterface* primary = m.spec.Primary();
  if (!primary) {
    return {Make(kConditionAssigned, false, "NoInterfaces", "spec.interfaces is empty; add the machine's NIC MAC", gen),
            std::nullopt};
  }
  if (!primary->ipv4.empty()) {
    auto ip = Ipv4Address::Parse(primary->ipv4);
    if (!ip) {
      return {
          Make(kConditionAssigned, false, "InvalidIP", "spec.interfaces ipv4 '" + primary->ipv4 + "' is not IPv4", gen),
          std::nullopt};
    }
    auto owner = ips.Owner(*ip);
    if (owner && *owner != key) {
      return {Make(kConditionAssigned, false, "IPConflict",
                   "static ipv4 " + ip->ToString() + " is already assigned to Machine " + *owner +
                       "; choose another address",
                   gen),
              std::nullopt};
    }
    return {Make(kConditionAssigned, true, "StaticIP", "static address " + ip->ToString() + " from spec", gen), ip};
  }
  const RackNetwork* rack = ips.Rack(m.spec.rack);
  if (!rack) {
    return {Make(kConditionAssigned, false, "UnknownRack",
                 "rack '" + m.spec.rack +
                     "' has no address pool in the controller configuration (racks:); add it or set a static ipv4",
                 gen),
            std::nullopt};
  }
  if (!rack->has_pool) {
    return {Make(kConditionAssigned, true, "SiteDhcp",
                 "rack " + rack->name +
                     " has no address pool (ProxyDHCP): the site's DHCP server gives the address; set a static ipv4 "
                     "to pin one",
                 gen),
            std::nullopt, true};
  }
  // Keep the address this Machine already holds (status is the durable record).
  if (current && ips.InPool(*rack, *current)) {
    auto owner = ips.Owner(*current);
    if (!owner || *owner == key) {
      return {Make(kConditionAssigned, true, "AllocatedFromPool",
                   current->ToString() + " from the pool of rack " + rack->name, gen),
              current};
    }
  }
  for (Ipv4Address held : ips.OwnedBy(key)) {
    if (ips.InPool(*rack, held)) {
      return {Make(kConditionAssigned, true, "AllocatedFromPool",
                   held.ToString() + " from the pool of rack " + rack->name, gen),
              held};
    }
  }
  auto next = ips.NextFree(*rack);
  if (!next) {
    return {Make(kConditionAssigned, false, "PoolExhausted",
                 "no free address left in the pool of rack " + rack->name + "; widen the pool or free machines", gen),
            std::nullopt};
  }
  return {Make(kConditionAssigned, true, "AllocatedFromPool", next->ToString() + " from the pool of rack " + rack->name,
               gen),
          next};
}

}  // namespace

MachineDecision DecideMachine(const model::Machine& m, const model::BootProfile* profile, const IpAllocator& ips,
                              const std::string& now, const std::vector<std::string>& mac_taken_by,
                              const resolve::SecretData& secrets) {
  MachineDecision d;
  const int64_t gen = m.meta.generation;
  if (!m.meta.deletion_timestamp.empty()) {
    d.deleting = true;
    d.remove_finalizer = m.meta.HasFinalizer(kIpFinalizer);
    return d;
  }
  d.add_finalizer = !m.meta.HasFinalizer(kIpFinalizer);

  std::optional<Ipv4Address> current;
  if (!m.status.ipv4.empty()) current = Ipv4Address::Parse(m.status.ipv4);

  d.status = m.status;
  d.status.observed_generation = gen;

  // ProfileResolved
  Condition profile_cond =
      m.spec.boot_profile.empty() ? Make(kConditionProfileResolved, false, "NoProfileReference",
                                         "spec.bootProfileRef.name is empty; name a BootProfile", gen)
      : profile == nullptr
          ? Make(kConditionProfileResolved, false, "ProfileNotFound",
                 "BootProfile '" + m.spec.boot_profile + "' does not exist" +
                     (m.meta.namespace_.empty() ? "" : " in namespace " + m.meta.namespace_) +
                     "; create it or fix spec.bootProfileRef.name",
                 gen)
          : Make(kConditionProfileResolved, true, "Resolved",
                 "BootProfile '" + m.spec.boot_profile + "' generation " + std::to_string(profile->meta.generation),
                 gen);

  AddressOutcome address = DecideAddress(m, ips, gen, current, mac_taken_by);

  // Boot content comes from the one resolver, exactly as standalone bootd
  // gets it; a refusal (required parameter unset) is the profile's problem.
  // A Machine without bootProfileRef is resolved too (lease, reserved
  // address and hostname, no boot file), as standalone bootd serves it;
  // one that names a missing profile is not (standalone skips it too).
  std::optional<v1alpha1::HostAssignment> host;
  const bool no_profile = m.spec.boot_profile.empty();
  if (profile != nullptr || no_profile) {
    resolve::RackSettings rack;
    if (address.ip) rack.primary_ipv4 = address.ip->ToString();
    const resolve::ProvisionRecord* booted = m.status.provisioned ? &*m.status.provisioned : nullptr;
    auto resolved =
        resolve::ResolveHostAssignment(m.Identity(), m.spec, profile ? &profile->spec : nullptr, rack, secrets, booted);
    if (resolved.ok()) {
      host = std::move(resolved.value());
    } else {
      profile_cond = Make(kConditionProfileResolved, false, kReasonUnresolvable, resolved.error().message, gen);
    }
  }
  // Created by discovery and not adopted yet (no bootProfileRef): bootd
  // keeps treating its MAC as unknown, so its DHCP fingerprint keeps
  // arriving as an unknown client's (controller/progress/discovered_machine.h).
  // The label is set at creation, so this holds before boot progress first
  // writes the phase Discovered.
  const bool discovered = no_profile && (m.discovered || m.status.phase == progress::kPhaseDiscovered);
  const bool ready = (address.ip || address.site_dhcp) && host.has_value() && !discovered;

  // NetbootEnabled: the same decision the resolver made for allow_pxe.
  const resolve::NetbootDecision netboot =
      ready ? resolve::DecideNetboot(m.spec, profile != nullptr, m.reprovision, m.status.provisioned)
      : discovered
          ? resolve::NetbootDecision{false, kReasonDiscovered,
                                     "created by discovery: bootd treats its MAC as unknown until "
                                     "spec.bootProfileRef names a BootProfile"}
          : resolve::NetbootDecision{false, kReasonNotAssigned,
                                     "nothing is sent to bootd yet; see the ProfileResolved and Assigned conditions"};
  const Condition netboot_cond = Make(kConditionNetbootEnabled, netboot.allowed, netboot.reason, netboot.message, gen);

  const Condition* old_assigned = model::FindCondition(m.status.conditions, kConditionAssigned);
  const Condition* old_profile = model::FindCondition(m.status.conditions, kConditionProfileResolved);
  const Condition* old_netboot = model::FindCondition(m.status.conditions, kConditionNetbootEnabled);
  const bool assigned_changed = !old_assigned || old_assigned->status != address.condition.status ||
                                old_assigned->reason != address.condition.reason ||
                                old_assigned->message != address.condition.message;
  const bool profile_changed =
      !old_profile || old_profile->status != profile_cond.status || old_profile->reason != profile_cond.reason;

  model::SetCondition(&d.status.conditions, profile_cond, now);
  model::SetCondition(&d.status.conditions, address.condition, now);
  model::SetCondition(&d.status.conditions, netboot_cond, now);

  if (address.ip) {
    d.claim = address.ip;
    d.status.ipv4 = address.ip->ToString();
    if (current && *current != *address.ip) d.release = current;
  } else if (address.condition.reason != "IPConflict" && address.condition.reason != "DuplicateMAC" && current) {
    // No address any more (e.g. rack removed): give the old one back. On a
    // conflict we keep whatever we held so nothing flaps.
    d.release = current;
    d.status.ipv4.clear();
  }

  // Boot progress (controller/progress/) owns Booting/Provisioned/Failed
  // while the assignment stays what bootd booted from; a spec change (new
  // generation) or another profile/address means a new boot is expected.
  const bool same_assignment = m.status.observed_generation == gen && !assigned_changed && old_profile &&
                               old_profile->status == profile_cond.status &&
                               old_profile->message == profile_cond.message;
  const bool boot_phase = m.status.phase == progress::kPhaseBooting || m.status.phase == progress::kPhaseProvisioned ||
                          m.status.phase == progress::kPhaseFailed;
  // A re-provision request (a new rackboot.io/reprovision value) after
  // bootOnce had ended netbooting: a new boot is expected.
  const bool reprovisioned =
      old_netboot && old_netboot->reason == resolve::kNetbootBootOnceCompleted && netboot.allowed;
  if (ready && netboot.reason == resolve::kNetbootBootOnceCompleted) {
    d.status.phase = progress::kPhaseProvisioned;  // installed, and stays so until re-provisioned
  } else if (ready && boot_phase && same_assignment && !reprovisioned) {
    d.status.phase = m.status.phase;
  } else if (discovered) {
    d.status.phase = progress::kPhaseDiscovered;  // created by discovery; stays until someone adopts it
  } else {
    d.status.phase = ready ? kPhaseAssigned : kPhasePending;
  }
  // Ready summarises the conditions above and boot progress's BootLoop and
  // Failed phase (controller/reconcile/machine_ready.h); boot progress's
  // status writes re-queue the Machine, so it follows them.
  model::SetCondition(
      &d.status.conditions,
      DecideMachineReady({&d.status, ready, discovered, m.spec.rack, m.spec.boot_profile, LastErrorMessage(m), gen}),
      now);
  d.status_changed = !(d.status == m.status);

  if (profile_changed && profile_cond.status == "False") {
    d.events.push_back({"Warning", profile_cond.reason, profile_cond.message});
  }
  if (assigned_changed) {
    d.events.push_back({address.condition.status == "True" ? "Normal" : "Warning", address.condition.reason,
                        address.condition.message});
  }
  if (old_netboot && old_netboot->reason != netboot_cond.reason) {
    d.events.push_back({"Normal", netboot.allowed ? "NetbootEnabled" : "NetbootDisabled",
                        netboot_cond.reason + ": " + netboot_cond.message});
  }
  if (ready) {
    ResolvedAssignment a;
    a.machine_key = m.meta.Key();
    a.rack = m.spec.rack;
    a.host = std::move(*host);
    d.assignment = a;
  }
  return d;
}

}  // namespace rackboot::controller
