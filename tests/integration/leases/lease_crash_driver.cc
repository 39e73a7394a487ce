// Crash-test driver for JournalLeaseStore: behaves like a DHCP server under
// load (allocate the first free address of its pool, commit, ACK; release
// some), and reports on stdout, one write(2) per line:
//   B <ip> <mac>   about to commit a binding      A <ip> <mac>  binding committed (ACKed)
//   b <ip> <mac>   about to commit a release      R <ip> <mac>  release committed
//   S <compactions>  compactions so far (at Open and in the background)
// A/R lines are written only after Commit() returned ok, so every A line is a
// lease a client was told it has. The test SIGKILLs this process at random
// moments and checks the reopened journal against these lines.
//
// Usage: lease_crash_driver PATH always|group|never THREADS ROUND POOL_PER_THREAD

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bootd/leases/lease_journal.h"

namespace rackboot::bootd {
namespace {

void Say(const std::string& line) {
  const std::string out = line + "\n";
  if (::write(STDOUT_FILENO, out.data(), out.size()) < 0) std::_Exit(3);
}

Ipv4Address PoolAddress(int thread, int k) {
  return Ipv4Address(0x0A000000u | (static_cast<uint32_t>(thread) << 16) | static_cast<uint32_t>(k + 1));
}

void Serve(JournalLeaseStore& store, int thread, int round, int pool) {
  std::mt19937 rng(static_cast<uint32_t>(round * 1000 + thread));
  std::vector<Lease> held;  // our active bindings, including those of earlier rounds
  for (int k = 0; k < pool; ++k) {
    std::optional<Lease> lease = store.FindByIp(PoolAddress(thread, k));
    if (lease && lease->state == LeaseState::kActive) held.push_back(*lease);
  }
  uint32_t counter = 0;
  for (uint64_t n = 0;; ++n) {
    if (n % 25 == 0) Say("S " + std::to_string(store.stats().compactions));
    const bool release = !held.empty() && (rng() % 3 == 0 || static_cast<int>(held.size()) == pool);
    if (release) {
      const size_t i = rng() % held.size();
      Lease lease = held[i];
      held.erase(held.begin() + static_cast<long>(i));
      lease.state = LeaseState::kReleased;
      const std::string what = lease.ip.ToString() + " " + lease.mac.ToString();
      Say("b " + what);
      if (!store.Commit(lease).ok()) std::_Exit(4);
      Say("R " + what);
      continue;
    }
    // First free address, as a server scanning its pool would pick it.
    int k = 0;
    for (; k < pool; ++k) {
      std::optional<Lease> existing = store.FindByIp(PoolAddress(thread, k));
      if (!existing || existing->state != LeaseState::kActive) break;
    }
    if (k == pool) continue;
    ++counter;
    Lease lease;
    lease.ip = PoolAddress(thread, k);
    lease.mac = MacAddress({0x02, static_cast<uint8_t>(round), static_cast<uint8_t>(thread),
                            static_cast<uint8_t>(counter >> 16), static_cast<uint8_t>(counter >> 8),
                            static_cast<uint8_t>(counter)});
    lease.hostname = "crash-" + std::to_string(round) + "-" + std::to_string(thread);
    lease.expires_unix = 2'000'000'000;
    const std::string what = lease.ip.ToString() + " " + lease.mac.ToString();
    Say("B " + what);
    if (!store.Commit(lease).ok()) std::_Exit(4);
    Say("A " + what);
    held.push_back(lease);
  }
}

}  // namespace
}  // namespace rackboot::bootd

int main(int argc, char** argv) {
  using namespace rackboot::bootd;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s PATH always|group|never THREADS ROUND POOL_PER_THREAD\n", argv[0]);
    return 2;
  }
  JournalOptions options;
  options.path = argv[1];
  const auto policy = ParseFsyncPolicy(argv[2]);
  if (!policy) return 2;
  options.fsync = *policy;
  // Small thresholds so background compactions happen within each round.
  options.compact_ratio = 2.0;
  options.compact_min_records = 64;
  options.preallocate_bytes = 64 * 1024;  // crosses zeroed-step boundaries within a round
  const int threads = std::atoi(argv[3]);
  const int round = std::atoi(argv[4]);
  const int pool = std::atoi(argv[5]);
  if (threads < 1 || threads > 64 || round < 0 || round > 255 || pool < 1 || pool > 60000) return 2;

  auto store = JournalLeaseStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    return 1;
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back([&, t] { Serve(**store, t, round, pool); });
  for (auto& w : workers) w.join();  // never returns: the test kills us
  return 0;
}
