// Lease journal throughput: commits/s for one fsync policy and thread count.
// Each thread commits distinct leases in a loop for a fixed time (the shape
// of DHCP ACKs: every Commit must be durable before the ACK goes out).
//
// Usage: lease_journal_bench DIR always|group|never THREADS SECONDS
// (RACKBOOT_GROUP_INFLIGHT=N sets JournalOptions::group_max_inflight_syncs,
//  RACKBOOT_PREALLOCATE=BYTES sets JournalOptions::preallocate_bytes)
// Prints one line: policy=... threads=... dir=... commits=... commits_per_s=... syncs=...

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bootd/leases/lease_journal.h"

int main(int argc, char** argv) {
  using namespace rackboot::bootd;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DIR always|group|never THREADS SECONDS\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const auto policy = ParseFsyncPolicy(argv[2]);
  const int threads = std::atoi(argv[3]);
  const double seconds = std::atof(argv[4]);
  if (!policy || threads < 1 || seconds <= 0) return 2;
  const std::filesystem::path work = std::filesystem::path(dir) / ("rackboot-lease-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(work);
  JournalOptions options;
  options.path = (work / "leases.journal").string();
  options.fsync = *policy;
  if (const char* inflight = std::getenv("RACKBOOT_GROUP_INFLIGHT"))
    options.group_max_inflight_syncs = std::atoi(inflight);
  if (const char* prealloc = std::getenv("RACKBOOT_PREALLOCATE")) {
    options.preallocate_bytes = std::strtoull(prealloc, nullptr, 10);
  }
  auto store = JournalLeaseStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.error().message.c_str());
    return 1;
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> commits{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      uint32_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        Lease lease;
        // 64k addresses per thread: the live set stays bounded, compaction runs as in production.
        lease.ip = rackboot::Ipv4Address(0x0A000000u | (static_cast<uint32_t>(t) << 16) | (i & 0xFFFF));
        lease.mac = rackboot::MacAddress({0x02, static_cast<uint8_t>(t), static_cast<uint8_t>(i >> 24),
                                          static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                                          static_cast<uint8_t>(i)});
        lease.client_id =
            std::string("\x01", 1) + std::string(reinterpret_cast<const char*>(lease.mac.bytes().data()), 6);
        lease.hostname = "bench-node";
        lease.expires_unix = 2'000'000'000;
        if (!(*store)->Commit(lease).ok()) {
          failed = true;
          return;
        }
        ++i;
        commits.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const JournalStats stats = (*store)->stats();
  std::printf("policy=%s threads=%d dir=%s commits=%llu commits_per_s=%.0f syncs=%llu compactions=%llu\n", argv[2],
              threads, dir.c_str(), static_cast<unsigned long long>(commits.load()), commits.load() / elapsed,
              static_cast<unsigned long long>(stats.syncs), static_cast<unsigned long long>(stats.compactions));
  store->reset();
  std::filesystem::remove_all(work);
  return failed ? 1 : 0;
}
