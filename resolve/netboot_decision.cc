#include "resolve/netboot_decision.h"

namespace rackboot::resolve {

bool BootOnceCompleted(bool boot_once, const std::string& reprovision,
                       const std::optional<ProvisionRecord>& provisioned) {
  return boot_once && provisioned && provisioned->reprovision == reprovision;
}

NetbootDecision DecideNetboot(const MachineSpec& spec, bool has_profile, const std::string& reprovision,
                              const std::optional<ProvisionRecord>& provisioned) {
  if (!spec.allow_pxe) {
    return {false, kNetbootPxeDisabled, "spec.netboot.allowPXE is false: DHCP lease only, no boot file"};
  }
  if (!has_profile) {
    return {false, kNetbootNoBootProfile,
            "no spec.bootProfileRef: DHCP lease (reserved address, hostname) only, no boot file"};
  }
  if (BootOnceCompleted(spec.boot_once, reprovision, provisioned)) {
    const std::string request =
        reprovision.empty() ? "" : " under " + std::string(kReprovisionAnnotation) + "=" + reprovision;
    return {false, kNetbootBootOnceCompleted,
            "bootOnce: the machine reported booted" + request +
                ", so it gets a DHCP lease but no boot file and starts from its disk; to install it again run "
                "kubectl annotate machines.rackboot.io <name> " +
                kReprovisionAnnotation + "=<new value> --overwrite"};
  }
  return {true, kNetbootAllowed,
          spec.boot_once ? "bootOnce: netboots until the machine reports booted" : "netboots on every power-on"};
}

}  // namespace rackboot::resolve
