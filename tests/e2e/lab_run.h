#pragma once
// Runs scripts/lab/boot (one QEMU VM boot in a throw-away network-namespace
// lab) and reads its --result file; shared by the e2e tests.

#include <chrono>
#include <future>
#include <map>
#include <string>
#include <vector>

namespace rackboot::testing {

// The lab's --timeout for one VM boot: a bound on how long a broken boot may
// take to show it is broken, not a timing. A UEFI boot on TCG takes ~30 s on
// an idle machine and was seen past 160 s with the 2 cores ~10x
// oversubscribed (compiles beside a loaded soak), so the bound is generous;
// ctest's TIMEOUT for these tests (tests/e2e/CMakeLists.txt) covers it.
inline constexpr const char* kLabBootBoundSeconds = "420";

struct BootRun {
  int exit_code = -1;
  std::string output;
  std::map<std::string, std::string> result;  // key=value lines of --result
  bool Reached(const std::string& stage) const;
};

// `cmd` through the shell: exit code (-1: killed) and stdout.
struct ShellResult {
  int exit_code = -1;
  std::string output;
};
ShellResult RunShell(const std::string& cmd);

// False (with the reason) when this host cannot run the lab: no root for
// namespaces, or QEMU/iPXE/OVMF packages missing.
bool LabUsable(std::string* why);

// scripts/lab/boot --result <tmp> <args...>
BootRun Boot(const std::vector<std::string>& args);

// The lab's kernel named as an upstream artifact (scripts/lab/boot
// --print-kernel): bootd's own /artifacts/ URL in the lab and the file's
// sha256, so bootd serves it through its artifact cache. Empty on failure.
struct UpstreamKernel {
  std::string url, sha256;
};
UpstreamKernel LabKernelAsUpstream();
// The same kernel from the lab's flaky mirror (scripts/lab/boot
// --flaky-upstream N answers its first N requests 503).
UpstreamKernel LabKernelAsFlakyUpstream();

// scripts/lab/boot --hold: the lab stays up after the boot until Release()
// (or destruction, so an assertion leaving early does not keep it up).
class LabHold {
 public:
  explicit LabHold(const std::string& dir);
  ~LabHold() { Release(); }
  std::vector<std::string> Args() const { return {"--hold", path_}; }
  // Until the lab holds (true) or `boot` has ended (false).
  bool Wait(std::future<BootRun>& boot, std::chrono::seconds limit);
  // What the lab wrote when it started holding: result, srv_netns, bootd_url.
  std::map<std::string, std::string> info() const;
  void Release();

 private:
  std::string path_;
};

// curl's status code for `url` from inside network namespace `netns`.
std::string HttpStatusInNetns(const std::string& netns, const std::string& url);

}  // namespace rackboot::testing
