#include "tests/e2e/lab_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "tests/support/netns_lab.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {

bool BootRun::Reached(const std::string& stage) const {
  auto it = result.find("stages");
  if (it == result.end()) return false;
  return ("," + it->second + ",").find("," + stage + ",") != std::string::npos;
}

bool LabUsable(std::string* why) {
  if (!CanCreateNamespaces()) {
    *why = "needs root for network namespaces";
    return false;
  }
  for (const char* p : {"qemu-system-x86_64", "dnsmasq", "busybox"}) {
    if (FindProgram(p).empty()) {
      *why = std::string(p) + " missing (scripts/setup --lab)";
      return false;
    }
  }
  if (access("/usr/lib/ipxe/ipxe.efi", R_OK) != 0 || access("/usr/share/OVMF/OVMF_CODE_4M.fd", R_OK) != 0) {
    *why = "ipxe / ovmf packages missing (scripts/setup --lab)";
    return false;
  }
  return true;
}

BootRun Boot(const std::vector<std::string>& args) {
  char result_path[] = "/tmp/rackboot-e2e-result.XXXXXX";
  int fd = mkstemp(result_path);
  close(fd);
  std::string cmd = SourcePath("scripts/lab/boot") + " --result " + result_path;
  for (const auto& a : args) cmd += " " + a;
  cmd += " 2>&1";
  BootRun run;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) run.output.append(buf, n);
  int status = pclose(p);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(result_path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) run.result[line.substr(0, eq)] = line.substr(eq + 1);
  }
  unlink(result_path);
  return run;
}

}  // namespace rackboot::testing
