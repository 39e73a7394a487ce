#pragma once
// Runs scripts/lab/boot (one QEMU VM boot in a throw-away network-namespace
// lab) and reads its --result file; shared by the e2e tests.

#include <map>
#include <string>
#include <vector>

namespace rackboot::testing {

struct BootRun {
  int exit_code = -1;
  std::string output;
  std::map<std::string, std::string> result;  // key=value lines of --result
  bool Reached(const std::string& stage) const;
};

// False (with the reason) when this host cannot run the lab: no root for
// namespaces, or QEMU/iPXE/OVMF packages missing.
bool LabUsable(std::string* why);

// scripts/lab/boot --result <tmp> <args...>
BootRun Boot(const std::vector<std::string>& args);

}  // namespace rackboot::testing
