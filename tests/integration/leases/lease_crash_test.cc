// Crash test for the lease journal (issue 3, "Durable leases"): runs
// lease_crash_driver, SIGKILLs it at a random moment, reopens the journal and
// checks that
//   - every lease the driver ACKed (printed after Commit returned) is there,
//     and every release it ACKed too;
//   - nothing is bound that the driver never tried to bind, and no MAC holds
//     two addresses (so a lost ACK can never turn into a double allocation);
//   - a kill -9 leaves no corrupt records (a process crash cannot tear a
//     write(2) in the middle of the file);
// over 21 rounds that rotate through the fsync policies, with background
// compactions running inside the rounds.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "bootd/leases/lease_journal.h"
#include "tests/support/test_paths.h"

namespace rackboot::bootd {
namespace {

namespace fs = std::filesystem;

struct Binding {
  std::string mac;
  bool active = false;
};

struct RoundOutput {
  std::string stdout_text;
  int status = 0;
};

// Starts the driver, lets it run `run_for`, SIGKILLs it, returns what it printed.
RoundOutput RunAndKill(const std::vector<std::string>& args, std::chrono::milliseconds run_for,
                       const std::string& stderr_path) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  RoundOutput out;
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  char buf[1 << 16];
  bool killed = false;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    const int wait_ms =
        killed ? 1000 : static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    if (::poll(&pfd, 1, wait_ms) <= 0) continue;
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof(buf));
    if (n <= 0) break;  // EOF: the driver is gone
    out.stdout_text.append(buf, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (!killed) ::kill(pid, SIGKILL);
  ::waitpid(pid, &out.status, 0);
  return out;
}

TEST(LeaseCrashTest, AckedLeasesSurviveKillNine) {
  const std::string driver = testing::BinaryPath("tests/integration/leases/lease_crash_driver");
  ASSERT_TRUE(fs::exists(driver)) << driver;
  // On disk (not tmpfs) so fsync does real work; inside the build tree.
  const fs::path dir = fs::path(testing::BinaryPath("tests/integration/leases")) / "crash-journal";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "leases.journal").string();
  const std::string stderr_path = (dir / "driver.stderr").string();

  constexpr int kRounds = 21;
  constexpr int kThreads = 4;
  constexpr int kPool = 48;  // per thread: small, so addresses are reused by new MACs
  const char* kPolicies[] = {"group", "always", "never"};
  const uint32_t seed = std::random_device{}();  // kill moments differ per run; the seed is printed
  std::printf("crash test: seed %u\n", seed);
  std::mt19937 rng(seed);

  std::map<std::string, Binding> model;  // ip -> last ACKed state
  size_t total_acks = 0;
  size_t max_compactions = 0;
  size_t rounds_with_output = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string policy = kPolicies[round % 3];
    const auto run_for = std::chrono::milliseconds(rng() % 600);  // from mid-Open to well into serving
    RoundOutput out =
        RunAndKill({driver, path, policy, std::to_string(kThreads), std::to_string(round + 1), std::to_string(kPool)},
                   run_for, stderr_path);
    ASSERT_TRUE(WIFSIGNALED(out.status) && WTERMSIG(out.status) == SIGKILL)
        << "driver exited on its own, status " << out.status << "; see " << stderr_path;
    if (!out.stdout_text.empty()) ++rounds_with_output;

    // Replay the driver's report. Unacknowledged operations may or may not
    // have reached the journal; both outcomes are allowed for them.
    std::map<std::string, std::vector<Binding>> maybe;  // ip -> possible outcomes of in-flight ops
    std::istringstream lines(out.stdout_text);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string kind, ip, mac;
      fields >> kind >> ip >> mac;
      if (kind == "B") maybe[ip].push_back({mac, true});
      if (kind == "b") maybe[ip].push_back({mac, false});
      if (kind == "A" || kind == "R") {
        model[ip] = {mac, kind == "A"};
        maybe.erase(ip);
        ++total_acks;
      }
      if (kind == "S") max_compactions = std::max(max_compactions, std::stoul(ip));
    }

    JournalOptions options;
    options.path = path;
    options.fsync = FsyncPolicy::kAlways;
    options.background_compaction = false;
    Result<std::unique_ptr<JournalLeaseStore>> store = JournalLeaseStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    const JournalStats stats = (*store)->stats();
    EXPECT_EQ(stats.corrupt_records, 0u);
    EXPECT_EQ(stats.unknown_records, 0u);
    EXPECT_LT(stats.torn_tail_bytes, 4096u);

    std::map<std::string, Binding> found;
    std::set<std::string> active_macs;
    (*store)->ForEach([&](const Lease& lease) {
      const std::string ip = lease.ip.ToString();
      const std::string mac = lease.mac.ToString();
      found[ip] = {mac, lease.state == LeaseState::kActive};
      if (lease.state == LeaseState::kActive) {
        EXPECT_TRUE(active_macs.insert(mac).second) << "MAC " << mac << " bound twice";
      }
    });
    for (const auto& [ip, want] : model) {
      auto it = found.find(ip);
      if (maybe.count(ip)) continue;  // checked below
      ASSERT_NE(it, found.end()) << "ACKed lease lost: " << ip << " " << want.mac;
      EXPECT_EQ(it->second.mac, want.mac) << "ACKed lease of " << ip << " replaced by an unknown MAC";
      EXPECT_EQ(it->second.active, want.active) << "state of ACKed lease " << ip << " " << want.mac;
    }
    for (const auto& [ip, outcomes] : maybe) {
      auto it = found.find(ip);
      bool allowed = false;
      if (model.count(ip) && it != found.end() && it->second.mac == model[ip].mac &&
          it->second.active == model[ip].active) {
        allowed = true;  // none of the in-flight operations landed
      }
      if (!model.count(ip) && (it == found.end() || !it->second.active)) allowed = true;
      for (const Binding& b : outcomes) {
        if (it != found.end() && it->second.mac == b.mac && it->second.active == b.active) allowed = true;
      }
      EXPECT_TRUE(allowed) << "in-flight operation on " << ip << " left an unexpected state";
      if (it != found.end()) model[ip] = it->second;  // what the next round starts from
    }
    for (const auto& [ip, got] : found) {
      EXPECT_TRUE(model.count(ip)) << "journal holds " << ip << " " << got.mac << " the driver never bound";
    }
  }
  // The test would prove nothing if the driver never got to serve.
  EXPECT_GT(total_acks, 200u);
  EXPECT_GT(rounds_with_output, kRounds / 2);
  EXPECT_GT(max_compactions, 0u) << "no background compaction ran inside a round";
  std::printf("crash test: %d rounds, %zu ACKed operations, %zu rounds served, max compactions in a round %zu\n",
              kRounds, total_acks, rounds_with_output, max_compactions);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rackboot::bootd
