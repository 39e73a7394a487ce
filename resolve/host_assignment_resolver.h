#pragma once
// The one place where (Machine, BootProfile, rack settings) become the
// HostAssignment bootd serves. The controller calls it from reconcile
// (controller/reconcile/machine_decision.cc), standalone bootd from its
// manifest directory (bootd/standalone/manifest_directory.cc); which CRD
// field ends up where is listed in docs/crd-fields.md.
// Pure: no I/O, deterministic, so both doors produce equal protos for equal
// input (tests/unit/resolve/two_doors_golden_test.cc).

#include <string>

#include "common/result.h"
#include "rackboot/v1alpha1/assignment.pb.h"
#include "resolve/boot_profile_spec.h"
#include "resolve/machine_spec.h"
#include "resolve/netboot_decision.h"
#include "resolve/secret_data.h"

namespace rackboot::resolve {

// What the rack contributes that is not in the Machine's spec.
struct RackSettings {
  // The address the controller allocated to the primary interface from the
  // rack's pool (or confirmed from spec). Empty: the spec's static address
  // if any, else bootd leases one from its own pool.
  std::string primary_ipv4;
};

// `profile` null: the machine is known but has nothing to boot (it still
// gets its DHCP lease; allow_pxe is off). Fails for a MAC or address that is
// not one, a `required` profile parameter the Machine does not set, or a
// template that uses a variable the renderer does not provide for this
// Machine (resolve/profile_templates.h).
// `secrets`: the labelled Secrets of the Machine's namespace (secret_data.h).
// Fails, naming the field, the Secret and the key (never a value), when a
// referenced Secret or key is missing, or when a secret parameter is used in
// the command line or a boot-loader template: those are served without a
// token, so a secret parameter may only appear in install configs.
// `provisioned`: the machine's last booted callback (controller:
// status.provisioned; standalone: bootd's record file), null when it never
// booted; allow_pxe follows DecideNetboot (resolve/netboot_decision.h).
Result<v1alpha1::HostAssignment> ResolveHostAssignment(const MachineIdentity& machine, const MachineSpec& spec,
                                                       const BootProfileSpec* profile, const RackSettings& rack = {},
                                                       const SecretData& secrets = {},
                                                       const ProvisionRecord* provisioned = nullptr);

}  // namespace rackboot::resolve
