#include "tests/e2e/lab_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

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

namespace {

std::map<std::string, std::string> KeyValues(std::istream& in) {
  std::map<std::string, std::string> kv;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

std::string Output(const std::string& cmd) {
  return RunShell(cmd).output;
}

}  // namespace

ShellResult RunShell(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

namespace {
UpstreamKernel PrintedKernel(bool flaky) {
  std::istringstream out(Output(SourcePath("scripts/lab/boot") + " --print-kernel"));
  auto kv = KeyValues(out);
  const std::string url = flaky ? kv["flaky_upstream_url"] : kv["artifacts_url"] + "/vmlinuz";
  if (kv["kernel"].empty() || kv["artifacts_url"].empty() || kv["flaky_upstream_url"].empty()) return {};
  const std::string sum = Output("sha256sum " + kv["kernel"]);
  if (sum.size() < 64) return {};
  return {url, sum.substr(0, 64)};
}
}  // namespace

UpstreamKernel LabKernelAsUpstream() {
  return PrintedKernel(false);
}

UpstreamKernel LabKernelAsFlakyUpstream() {
  return PrintedKernel(true);
}

LabHold::LabHold(const std::string& dir) : path_(dir + "/lab-hold") {
  std::ofstream(path_) << "the lab stays up while this file exists\n";
}

bool LabHold::Wait(std::future<BootRun>& boot, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(path_ + ".outcome")) return true;
    if (boot.wait_for(std::chrono::milliseconds(200)) == std::future_status::ready) return false;
  }
  return false;
}

std::map<std::string, std::string> LabHold::info() const {
  std::ifstream in(path_ + ".outcome");
  return KeyValues(in);
}

void LabHold::Release() {
  std::filesystem::remove(path_);
}

std::string HttpStatusInNetns(const std::string& netns, const std::string& url) {
  return Output("ip netns exec " + netns + " curl -s -o /dev/null --max-time 5 -w '%{http_code}' '" + url + "'");
}

BootRun Boot(const std::vector<std::string>& args) {
  char result_path[] = "/tmp/rackboot-e2e-result.XXXXXX";
  int fd = mkstemp(result_path);
  close(fd);
  std::string cmd = SourcePath("scripts/lab/boot") + " --result " + result_path;
  for (const auto& a : args) cmd += " " + a;
  cmd += " 2>&1";
  ShellResult r = RunShell(cmd);
  BootRun run;
  run.exit_code = r.exit_code;
  run.output = std::move(r.output);
  std::ifstream in(result_path);
  run.result = KeyValues(in);
  unlink(result_path);
  return run;
}

}  // namespace rackboot::testing
