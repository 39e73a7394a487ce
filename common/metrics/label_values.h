#pragma once
// Bounded label value sets shared by bootd, the controller and the
// dashboard. Components pre-create one series per value at start-up so that
// rate() and the dashboard's funnel see zeros instead of missing series.

#include <array>
#include <string_view>

namespace rackboot::metrics {

// Boot stages, as in the Machine CRD (status.bootStages[].stage) and the
// BootStage enum of proto/ (lower-case, the CRD spelling).
inline constexpr std::array<std::string_view, 9> kBootStages = {
    "dhcp_discover", "dhcp_offer", "dhcp_ack", "boot_file", "script", "kernel", "initrd", "booted", "error"};

// Machine phases, as in the Machine CRD (status.phase).
inline constexpr std::array<std::string_view, 6> kMachinePhases = {"Pending",     "Assigned", "Booting",
                                                                   "Provisioned", "Failed",   "Discovered"};

// bootd's controller stream, one of these is 1 at any time.
inline constexpr std::array<std::string_view, 4> kStreamStates = {"idle", "connecting", "streaming", "backoff"};

}  // namespace rackboot::metrics
