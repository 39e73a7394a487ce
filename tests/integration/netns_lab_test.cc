// Tests the namespace lab itself: real traffic flows inside it, and nothing
// is left behind -- not after a normal end, not after a failure midway, not
// after the test process is SIGKILLed.
#include "tests/support/netns_lab.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace rackboot::testing {
namespace {

bool NamespaceExists(const std::string& name) {
  auto all = ListNamespaces();
  return std::find(all.begin(), all.end(), name) != all.end();
}

int CountWithPrefix(const std::string& prefix) {
  int n = 0;
  for (const auto& ns : ListNamespaces()) n += ns.rfind(prefix, 0) == 0;
  return n;
}

bool PidAlive(pid_t pid) {
  // A zombie still answers kill(0); check /proc state too.
  if (kill(pid, 0) != 0) return false;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return false;
  char buf[256] = {};
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::string s(buf, n);
  size_t paren = s.rfind(')');
  return paren != std::string::npos && paren + 2 < s.size() && s[paren + 2] != 'Z';
}

TEST(NetnsLabTest, VethPairCarriesTrafficAndIsRemoved) {
  ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
  std::string a, b;
  {
    NetnsLab lab("veth");
    a = lab.AddNamespace("a");
    b = lab.AddNamespace("b");
    lab.AddVeth("a", "eth0", "b", "eth0");
    lab.SetAddress("a", "eth0", "192.0.2.1/24");
    lab.SetAddress("b", "eth0", "192.0.2.2/24");
    EXPECT_TRUE(NamespaceExists(a));
    std::string out;
    EXPECT_EQ(lab.Run("a", {"ping", "-c", "1", "-W", "2", "192.0.2.2"}, &out), 0) << out;
    // The host namespace never sees the pair.
    std::string host_links;
    lab.Run("", {"ip", "-o", "link"}, &host_links);
    EXPECT_EQ(host_links.find(a), std::string::npos);
  }
  EXPECT_FALSE(NamespaceExists(a));
  EXPECT_FALSE(NamespaceExists(b));
}

TEST(NetnsLabTest, BridgeWithTapAndVethPorts) {
  NetnsLab lab("br");
  lab.AddNamespace("lan");
  lab.AddNamespace("srv");
  lab.AddNamespace("cli");
  lab.AddBridge("lan", "br0");
  lab.AddVeth("lan", "srv0", "srv", "eth0");
  lab.AddVeth("lan", "cli0", "cli", "eth0");
  lab.AttachToBridge("lan", "srv0", "br0");
  lab.AttachToBridge("lan", "cli0", "br0");
  lab.AddTap("lan", "tap0");
  lab.AttachToBridge("lan", "tap0", "br0");
  lab.SetAddress("srv", "eth0", "198.51.100.1/24");
  lab.SetAddress("cli", "eth0", "198.51.100.2/24");
  std::string out;
  EXPECT_EQ(lab.Run("cli", {"ping", "-c", "1", "-W", "2", "198.51.100.1"}, &out), 0) << out;
  lab.Run("lan", {"ip", "-o", "link", "show", "master", "br0"}, &out);
  EXPECT_NE(out.find("tap0"), std::string::npos) << out;
  EXPECT_NE(out.find("srv0"), std::string::npos) << out;
}

TEST(NetnsLabTest, SpawnedProcessRunsInsideAndIsStopped) {
  pid_t pid = 0;
  {
    NetnsLab lab("spawn");
    lab.AddNamespace("x");
    auto proc = lab.Spawn("x", {"sleep", "300"});
    pid = proc->pid();
    EXPECT_TRUE(proc->Running());
    auto echo = lab.Spawn("x", {"sh", "-c", "ip -o link | wc -l"});
    ASSERT_EQ(echo->Wait(std::chrono::seconds(5)), 0);
    EXPECT_EQ(echo->Output(), "1\n");  // only lo inside a fresh namespace
  }
  EXPECT_FALSE(PidAlive(pid));
}

// A test that fails midway (exception out of the test body) still leaves
// nothing: the destructor runs during unwinding.
TEST(NetnsLabTest, FailureMidwayLeavesNothing) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      NetnsLab lab("fail");
      lab.AddNamespace("a");
      lab.AddNamespace("b");
      lab.AddVeth("a", "eth0", "b", "eth0");
      lab.Spawn("a", {"sleep", "300"}).release();  // leaked on purpose
      lab.Exec("a", {"false"});                    // throws: a failing step
    } catch (const std::exception&) {
      _exit(3);
    }
    _exit(0);
  }
  int st = 0;
  waitpid(child, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 3);
  EXPECT_EQ(CountWithPrefix(std::string(kNetnsPrefix) + std::to_string(child) + "-"), 0);
}

// A test process SIGKILLed midway leaves namespaces; its processes die with
// it (PDEATHSIG), and the sweeper removes the namespaces.
TEST(NetnsLabTest, KilledTestIsSweptAndItsProcessesDie) {
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipefd[0]);
    NetnsLab lab("killed");
    lab.AddNamespace("a");
    lab.AddNamespace("b");
    lab.AddVeth("a", "eth0", "b", "eth0");
    auto proc = lab.Spawn("a", {"sleep", "300"});
    pid_t p = proc->pid();
    if (write(pipefd[1], &p, sizeof p) != sizeof p) _exit(1);
    close(pipefd[1]);
    raise(SIGKILL);
  }
  close(pipefd[1]);
  pid_t sleeper = 0;
  ASSERT_EQ(read(pipefd[0], &sleeper, sizeof sleeper), static_cast<ssize_t>(sizeof sleeper));
  close(pipefd[0]);
  int st = 0;
  waitpid(child, &st, 0);
  ASSERT_TRUE(WIFSIGNALED(st));
  const std::string prefix = std::string(kNetnsPrefix) + std::to_string(child) + "-";
  EXPECT_EQ(CountWithPrefix(prefix), 2) << "killed test leaves its namespaces until swept";
  EXPECT_GE(NetnsLab::SweepStaleNamespaces(), 2);
  EXPECT_EQ(CountWithPrefix(prefix), 0);
  for (int i = 0; i < 100 && PidAlive(sleeper); ++i) usleep(20000);
  EXPECT_FALSE(PidAlive(sleeper));
}

}  // namespace
}  // namespace rackboot::testing
