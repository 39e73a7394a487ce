// Fan-out benchmark of the controller -> bootd push (issue 7):
//   1. N assignments over R racks are in the controller's cache; R bootd
//      agents (in this process, each with its own mTLS channel and rack
//      certificate) connect: time until every agent applied its rack's
//      current version ("convergence").
//   2. Single-machine changes at a fixed rate: latency from Upsert() on the
//      controller to the ACK of a version containing it (bootd applied it and
//      the ACK came back), p50/p99/max.
// Usage: push_fanout_bench PKI_DIR [assignments=10000] [racks=50] [rate=50] [seconds=20]
// PKI_DIR from bench/grpc/run (ca, controller, bootd-rack-<i> certificates).

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bootd/agent/controller_agent.h"
#include "common/log.h"
#include "controller/push/push_server.h"
#include "controller/push/rack_snapshot_cache.h"

namespace {

using namespace rackboot;
using Clock = std::chrono::steady_clock;

std::string RackName(int i) {
  return "rack-" + std::to_string(i);
}

v1alpha1::HostAssignment MakeMachine(int rack, int n, int revision) {
  v1alpha1::HostAssignment a;
  a.set_machine_name("bench/r" + std::to_string(rack) + "-m" + std::to_string(n));
  a.set_rack(RackName(rack));
  char mac[32];
  std::snprintf(mac, sizeof mac, "52:54:%02x:%02x:%02x:%02x", rack & 0xff, (n >> 8) & 0xff, n & 0xff, revision & 0xff);
  auto* i = a.add_interfaces();
  i->set_mac(mac);
  i->set_ipv4("10." + std::to_string(rack) + "." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1));
  i->set_primary(true);
  a.set_hostname("m" + std::to_string(n));
  a.set_allow_pxe(true);
  auto* b = a.mutable_boot();
  b->set_profile_name("debian-12");
  b->mutable_kernel()->set_url("http://mirror.invalid/debian/vmlinuz");
  b->mutable_kernel()->set_sha256(std::string(64, 'a'));
  b->add_initrds()->set_url("http://mirror.invalid/debian/initrd.gz");
  b->set_cmdline_template("console=ttyS0 auto=true url={{config_url}} rev=" + std::to_string(revision));
  (*a.mutable_parameters())["disk"] = "/dev/sda";
  a.set_generation(static_cast<uint64_t>(revision));
  return a;
}

class LatencyObserver : public controller::push::PushObserver {
 public:
  void OnBootEvent(const std::string&, const v1alpha1::BootEvent&) override {}
  void OnNack(const std::string& rack, uint64_t version, const std::string& detail,
              const std::vector<std::string>&) override {
    std::fprintf(stderr, "NACK %s %llu %s\n", rack.c_str(), static_cast<unsigned long long>(version), detail.c_str());
  }
  void OnAck(const std::string& rack, uint64_t version) override {
    auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    auto& pending = pending_[rack];
    while (!pending.empty() && pending.begin()->first <= version) {
      latencies_ms_.push_back(std::chrono::duration<double, std::milli>(now - pending.begin()->second).count());
      pending.erase(pending.begin());
    }
  }
  void Changed(const std::string& rack, uint64_t version, Clock::time_point at) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_[rack].emplace(version, at);
  }
  std::vector<double> latencies() {
    std::lock_guard<std::mutex> lock(mu_);
    return latencies_ms_;
  }
  size_t outstanding() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (auto& [r, p] : pending_) n += p.size();
    return n;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::map<uint64_t, Clock::time_point>> pending_;
  std::vector<double> latencies_ms_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

struct Usage {
  double cpu_s;
  long rss_kb;
};
Usage Now() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
              static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
          ru.ru_maxrss};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PKI_DIR [assignments] [racks] [rate] [seconds]\n", argv[0]);
    return 2;
  }
  const std::string pki = argv[1];
  const int total = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int racks = argc > 3 ? std::atoi(argv[3]) : 50;
  const int rate = argc > 4 ? std::atoi(argv[4]) : 50;
  const int seconds = argc > 5 ? std::atoi(argv[5]) : 20;
  const int per_rack = total / racks;
  log::SetLevel(log::Level::kError);

  controller::push::RackSnapshotCache cache;
  cache.SetLeaderEpoch(1);
  for (int r = 0; r < racks; ++r) {
    std::map<std::string, v1alpha1::HostAssignment> m;
    for (int n = 0; n < per_rack; ++n) {
      auto a = MakeMachine(r, n, 0);
      m[a.machine_name()] = a;
    }
    cache.SetRack(RackName(r), std::move(m));
  }
  LatencyObserver observer;
  controller::push::PushServerOptions so;
  so.listen = "127.0.0.1:0";
  so.ca_file = pki + "/ca.pem";
  so.cert_file = pki + "/controller.pem";
  so.key_file = pki + "/controller.key";
  controller::push::AssignmentPushServer server(so, cache, observer);
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "server: %s\n", s.message().c_str());
    return 1;
  }

  struct Bootd {
    bootd::AssignmentStore store;
    bootd::BootEventRecorder events;
    std::unique_ptr<bootd::agent::ControllerAgent> agent;
  };
  std::vector<std::unique_ptr<Bootd>> bootds;
  const Usage u0 = Now();
  const auto t0 = Clock::now();
  for (int r = 0; r < racks; ++r) {
    auto b = std::make_unique<Bootd>();
    bootd::agent::ControllerAgentOptions o;
    o.rack = RackName(r);
    o.address = "127.0.0.1:" + std::to_string(server.port());
    o.ca_file = pki + "/ca.pem";
    o.cert_file = pki + "/bootd-" + RackName(r) + ".pem";
    o.key_file = pki + "/bootd-" + RackName(r) + ".key";
    o.backoff_base = std::chrono::milliseconds(50);
    o.backoff_cap = std::chrono::milliseconds(1000);
    b->agent = std::make_unique<bootd::agent::ControllerAgent>(o, b->store, b->events);
    if (Status s = b->agent->Start(); !s.ok()) {
      std::fprintf(stderr, "agent: %s\n", s.message().c_str());
      return 1;
    }
    bootds.push_back(std::move(b));
  }
  for (;;) {
    int done = 0;
    for (int r = 0; r < racks; ++r) {
      if (bootds[r]->agent->applied_version() == cache.Version(RackName(r)) &&
          bootds[r]->store.size() == static_cast<size_t>(per_rack)) {
        ++done;
      }
    }
    if (done == racks) break;
    if (Clock::now() - t0 > std::chrono::seconds(120)) {
      std::fprintf(stderr, "no convergence after 120 s (%d/%d racks)\n", done, racks);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double converge_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const Usage u1 = Now();
  uint64_t attempts = 0;
  for (auto& b : bootds) attempts += b->agent->streams_started();
  double load = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = 0;
    std::fclose(f);
  }
  std::printf(
      "convergence: %d assignments, %d racks, %.3f s (cpu %.2f s, maxrss %ld MiB, whole process; "
      "%llu stream attempts; loadavg %.1f on %u cpus)\n",
      per_rack * racks, racks, converge_s, u1.cpu_s - u0.cpu_s, u1.rss_kb / 1024,
      static_cast<unsigned long long>(attempts), load, std::thread::hardware_concurrency());

  // Phase 2: single-machine changes at `rate` per second.
  std::mt19937 rng(42);
  const int changes = rate * seconds;
  const auto interval = std::chrono::microseconds(1000000 / std::max(rate, 1));
  auto next = Clock::now();
  for (int i = 0; i < changes; ++i) {
    std::this_thread::sleep_until(next);
    next += interval;
    const int r = static_cast<int>(rng() % static_cast<unsigned>(racks));
    const int n = static_cast<int>(rng() % static_cast<unsigned>(per_rack));
    auto at = Clock::now();
    // Register before the push can be ACKed; the version is the next one.
    observer.Changed(RackName(r), cache.Version(RackName(r)) + 1, at);
    cache.Upsert(RackName(r), MakeMachine(r, n, i + 1));
  }
  const auto drain_start = Clock::now();
  while (observer.outstanding() > 0 && Clock::now() - drain_start < std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const Usage u2 = Now();
  auto lat = observer.latencies();
  std::printf("changes: %d at %d/s over %d racks: p50 %.2f ms, p99 %.2f ms, max %.2f ms, unacked %zu (cpu %.2f s)\n",
              changes, rate, racks, Percentile(lat, 0.5), Percentile(lat, 0.99), Percentile(lat, 1.0),
              observer.outstanding(), u2.cpu_s - u1.cpu_s);
  for (auto& b : bootds) b->agent->Stop();
  server.Stop();
  return 0;
}
