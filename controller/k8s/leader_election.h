#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it:
// acquire when the lease is free or its holder has not renewed within
// leaseDuration (measured on OUR clock from when we last saw the record
// change, so clock skew between replicas does not matter); renew every
// retryPeriod; give up leadership if a renewal has not succeeded within
// renewDeadline; release (empty holder) on shutdown.
// Two leaders can still overlap briefly (a paused process), so everything
// the leader sends outward carries epoch() = leaseTransitions, which only
// grows; receivers reject older epochs.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/log_throttle.h"
#include "controller/k8s/api_client.h"
#include "controller/model/lease.h"

namespace rackboot::k8s {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per replica: pod name + random suffix
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

struct LeaderCallbacks {
  std::function<void(int64_t epoch)> on_started_leading;
  std::function<void()> on_stopped_leading;  // lost the lease (not on Stop())
};

class LeaderElector {
 public:
  LeaderElector(std::shared_ptr<ApiClient> client, LeaderElectionConfig config, LeaderCallbacks callbacks);
  ~LeaderElector();

  void Start();
  // Stops renewing and releases the lease if we hold it. Returns whether a
  // held lease was released (false also when the API server refused, e.g.
  // the Role already deleted by `helm uninstall`).
  bool Stop();

  bool IsLeader() const { return leading_.load(); }
  int64_t epoch() const { return epoch_.load(); }

  static const ResourceKind& LeaseKind();

 private:
  void Run(std::stop_token stop);
  // One attempt; true if we hold the lease afterwards.
  bool TryAcquireOrRenew();
  bool Release();
  void Sleep(std::stop_token stop, std::chrono::milliseconds d);

  std::shared_ptr<ApiClient> client_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  std::atomic<bool> leading_{false};
  std::atomic<int64_t> epoch_{0};
  // The last record seen and when (our steady clock) it last changed.
  std::optional<model::Lease> observed_;
  std::chrono::steady_clock::time_point observed_at_{};
  // The Lease is missing and may not be created (the Helm chart owns it and
  // grants no create): one line a minute, not one per retry.
  log::LogThrottle missing_lease_log_{60'000};
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;
};

}  // namespace rackboot::k8s
