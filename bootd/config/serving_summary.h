#pragma once
// What a bootd with this configuration serves, in a few lines for people:
// printed by `bootd --check-config` (after the host checks have derived
// what the YAML left out).

#include <string>

#include "bootd/config/bootd_config.h"

namespace rackboot::bootd {

std::string DescribeServing(const BootdConfig& config);

}  // namespace rackboot::bootd
