#include "tests/support/netns_lab.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rackboot::testing {
namespace fs = std::filesystem;
namespace {

// fork+exec with optional namespace; stdout/stderr to `log_path` (or
// /dev/null). Sets PDEATHSIG so the child dies when the test dies.
pid_t ForkExec(const std::string& ns, const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<std::string> full;
  if (!ns.empty()) full = {"ip", "netns", "exec", ns};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> cargv;
  for (auto& a : full) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setpgid(0, 0);  // own process group: Kill() reaches grandchildren too
    int fd = open(log_path.empty() ? "/dev/null" : log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execvp(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

std::string Join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

bool PidAlive(pid_t pid) {
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

void KillNamespaceProcesses(const std::string& ns) {
  // `ip netns pids` lists every process whose net namespace is `ns`.
  for (int round = 0; round < 20; ++round) {
    FILE* p = popen(("ip netns pids " + ns + " 2>/dev/null").c_str(), "r");
    if (!p) return;
    bool any = false;
    char line[64];
    while (std::fgets(line, sizeof line, p)) {
      pid_t pid = static_cast<pid_t>(std::atoi(line));
      if (pid > 1) {
        kill(pid, round < 5 ? SIGTERM : SIGKILL);
        any = true;
      }
    }
    pclose(p);
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void DeleteNamespace(const std::string& ns) {
  KillNamespaceProcesses(ns);
  std::string cmd = "ip netns delete " + ns + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    // Retry once: a just-killed process may still hold it.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (void)std::system(cmd.c_str());
  }
}

}  // namespace

LabProcess::~LabProcess() {
  if (!reaped_) {
    Kill(SIGTERM);
    if (Wait(std::chrono::milliseconds(2000)) == -1) {
      Kill(SIGKILL);
      Wait(std::chrono::milliseconds(2000));
    }
  }
}

int LabProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reaped_) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      status_ = st;
      break;
    }
    if (r < 0) {
      reaped_ = true;
      status_ = 0;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

bool LabProcess::Running() {
  return Wait(std::chrono::milliseconds(0)) == -1;
}

void LabProcess::Kill(int sig) {
  if (!reaped_) {
    kill(-pid_, sig);  // the process group
    kill(pid_, sig);
  }
}

std::string LabProcess::Output() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

NetnsLab::NetnsLab(std::string tag) : tag_(std::move(tag)) {
  SweepStaleNamespaces();
  prefix_ = std::string(kNetnsPrefix) + std::to_string(getpid()) + "-";
  char tmpl[] = "/tmp/rackboot-lab-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  work_dir_ = tmpl;
}

NetnsLab::~NetnsLab() {
  TearDown();
}

void NetnsLab::TearDown() {
  for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) DeleteNamespace(*it);
  namespaces_.clear();
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

std::string NetnsLab::FullName(const std::string& short_name) const {
  if (short_name.rfind(prefix_, 0) == 0) return short_name;
  return prefix_ + tag_ + "-" + short_name;
}

std::string NetnsLab::AddNamespace(const std::string& short_name) {
  const std::string ns = FullName(short_name);
  Exec("", {"ip", "netns", "add", ns});
  namespaces_.push_back(ns);
  Exec(ns, {"ip", "link", "set", "lo", "up"});
  return ns;
}

void NetnsLab::AddVeth(const std::string& ns_a, const std::string& if_a, const std::string& ns_b,
                       const std::string& if_b) {
  // Created directly inside ns_a, peer moved to ns_b: never visible in the host namespace.
  Exec(FullName(ns_a), {"ip", "link", "add", if_a, "type", "veth", "peer", "name", if_b, "netns", FullName(ns_b)});
  SetUp(ns_a, if_a);
  SetUp(ns_b, if_b);
}

void NetnsLab::AddBridge(const std::string& ns, const std::string& bridge) {
  Exec(FullName(ns), {"ip", "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0"});
  SetUp(ns, bridge);
}

void NetnsLab::AttachToBridge(const std::string& ns, const std::string& ifname, const std::string& bridge) {
  Exec(FullName(ns), {"ip", "link", "set", ifname, "master", bridge});
}

void NetnsLab::AddTap(const std::string& ns, const std::string& tap) {
  Exec(FullName(ns), {"ip", "tuntap", "add", "dev", tap, "mode", "tap"});
  SetUp(ns, tap);
}

void NetnsLab::SetAddress(const std::string& ns, const std::string& ifname, const std::string& cidr) {
  Exec(FullName(ns), {"ip", "addr", "add", cidr, "dev", ifname});
}

void NetnsLab::SetUp(const std::string& ns, const std::string& ifname) {
  Exec(FullName(ns), {"ip", "link", "set", ifname, "up"});
}

int NetnsLab::Run(const std::string& ns, const std::vector<std::string>& argv, std::string* output) {
  const std::string log = work_dir_ + "/run-" + std::to_string(spawn_count_++) + ".log";
  pid_t pid = ForkExec(ns.empty() ? "" : FullName(ns), argv, log);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (output) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    *output = ss.str();
  }
  std::error_code ec;
  fs::remove(log, ec);
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

void NetnsLab::Exec(const std::string& ns, const std::vector<std::string>& argv) {
  std::string out;
  int rc = Run(ns, argv, &out);
  if (rc != 0) {
    throw std::runtime_error("command failed (exit " + std::to_string(rc) + "): " + Join(argv) + ": " + out);
  }
}

std::unique_ptr<LabProcess> NetnsLab::Spawn(const std::string& ns, const std::vector<std::string>& argv) {
  const std::string log = work_dir_ + "/proc-" + std::to_string(spawn_count_++) + "-" +
                          fs::path(argv.empty() ? "x" : argv[0]).filename().string() + ".log";
  pid_t pid = ForkExec(ns.empty() ? "" : FullName(ns), argv, log);
  return std::make_unique<LabProcess>(pid, log);
}

std::vector<std::string> ListNamespaces() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/netns", ec)) out.push_back(e.path().filename().string());
  return out;
}

int NetnsLab::SweepStaleNamespaces(bool include_live_owners) {
  int removed = 0;
  const std::string prefix = kNetnsPrefix;
  for (const std::string& ns : ListNamespaces()) {
    if (ns.rfind(prefix, 0) != 0) continue;
    // rbt<pid>-...
    size_t dash = ns.find('-');
    if (dash == std::string::npos) continue;
    std::string pid_text = ns.substr(prefix.size(), dash - prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t owner = static_cast<pid_t>(std::stol(pid_text));
    if (!include_live_owners && PidAlive(owner)) continue;
    DeleteNamespace(ns);
    ++removed;
  }
  return removed;
}

bool CanCreateNamespaces() {
  return geteuid() == 0;
}

}  // namespace rackboot::testing
