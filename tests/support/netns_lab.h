#pragma once
// NetnsLab: a throw-away virtual network for one test. It creates network
// namespaces, veth pairs, bridges and taps -- all *inside* namespaces it owns,
// never in the host namespace -- runs processes in them, and tears everything
// down in its destructor.
//
// Names are "rbt<pid>-<name>" (interface names stay short: they live inside
// the namespace, so they need no prefix). If a test is killed before its
// destructor runs, SweepStaleNamespaces() -- run by the ctest fixture before
// and after the suite, and at every NetnsLab start -- removes namespaces whose
// owning pid is gone and kills what ran inside them. Child processes also get
// PR_SET_PDEATHSIG so they die with the test.
//
// Rule: tests send traffic only to loopback or to these namespaces.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace rackboot::testing {

inline constexpr const char* kNetnsPrefix = "rbt";

// A process started in a namespace; killed (SIGTERM, then SIGKILL) on
// destruction unless it already exited.
class LabProcess {
 public:
  LabProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  ~LabProcess();
  LabProcess(const LabProcess&) = delete;
  LabProcess& operator=(const LabProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits up to `timeout` for exit; returns the exit code, or -1 on timeout,
  // or 128+signal when killed by a signal.
  int Wait(std::chrono::milliseconds timeout);
  bool Running();
  void Kill(int sig);
  // Everything the process wrote to stdout and stderr so far.
  std::string Output() const;
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

class NetnsLab {
 public:
  // `tag` appears in namespace names to tell labs apart in `ip netns list`.
  explicit NetnsLab(std::string tag);
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  // Returns the full namespace name for a short one.
  std::string AddNamespace(const std::string& short_name);
  // veth pair between two namespaces (both must exist).
  void AddVeth(const std::string& ns_a, const std::string& if_a, const std::string& ns_b, const std::string& if_b);
  // Bridge inside a namespace (stp off, forward delay 0), and enslave ports.
  void AddBridge(const std::string& ns, const std::string& bridge);
  void AttachToBridge(const std::string& ns, const std::string& ifname, const std::string& bridge);
  // Persistent tap inside a namespace (QEMU attaches to it).
  void AddTap(const std::string& ns, const std::string& tap);
  void SetAddress(const std::string& ns, const std::string& ifname, const std::string& cidr);
  void SetUp(const std::string& ns, const std::string& ifname);

  // Runs a command in the namespace and waits; throws on non-zero exit.
  void Exec(const std::string& ns, const std::vector<std::string>& argv);
  // Like Exec but returns exit code and fills `output`.
  int Run(const std::string& ns, const std::vector<std::string>& argv, std::string* output = nullptr);
  // Starts a long-running process in the namespace; its output goes to a
  // file in the lab's work directory.
  std::unique_ptr<LabProcess> Spawn(const std::string& ns, const std::vector<std::string>& argv);

  const std::vector<std::string>& namespaces() const { return namespaces_; }
  // Scratch directory removed with the lab.
  const std::string& work_dir() const { return work_dir_; }
  std::string FullName(const std::string& short_name) const;

  // Deletes every namespace (and kills its processes) whose name starts with
  // the test prefix and whose owner pid no longer exists. With
  // `include_live_owners`, deletes all of them. Returns how many it removed.
  static int SweepStaleNamespaces(bool include_live_owners = false);

 private:
  void TearDown();

  std::string tag_;
  std::string prefix_;
  std::string work_dir_;
  std::vector<std::string> namespaces_;
  int spawn_count_ = 0;
};

// True when the process may create namespaces (root, or CAP_SYS_ADMIN).
bool CanCreateNamespaces();

// Lists namespaces from /run/netns.
std::vector<std::string> ListNamespaces();

}  // namespace rackboot::testing
