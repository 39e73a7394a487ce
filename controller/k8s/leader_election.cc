#include "controller/k8s/leader_election.h"

#include <random>

#include "common/log.h"

namespace rackboot::k8s {

const ResourceKind& LeaderElector::LeaseKind() {
  static const ResourceKind kind{"coordination.k8s.io", "v1", "leases", true};
  return kind;
}

LeaderElector::LeaderElector(std::shared_ptr<ApiClient> client, LeaderElectionConfig config, LeaderCallbacks callbacks)
    : client_(std::move(client)), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

LeaderElector::~LeaderElector() {
  Stop();
}

void LeaderElector::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

bool LeaderElector::Stop() {
  if (!thread_.joinable()) return false;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
  return leading_.exchange(false) && Release();
}

void LeaderElector::Sleep(std::stop_token stop, std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, stop, d, [] { return false; });
}

bool LeaderElector::TryAcquireOrRenew() {
  using model::Lease;
  const int64_t now_us = model::NowMicros();
  const std::string now = model::FormatMicroTime(now_us);
  const int64_t duration_s = std::max<int64_t>(1, config_.lease_duration.count() / 1000);
  auto got = client_->Get(LeaseKind(), config_.lease_namespace, config_.lease_name);
  if (!got.ok()) {
    log::Warn("leader", "get lease failed", {{"error", got.error().message}});
    return false;
  }
  if (got->code == 404) {
    Lease l;
    l.meta.name = config_.lease_name;
    l.meta.namespace_ = config_.lease_namespace;
    l.holder_identity = config_.identity;
    l.lease_duration_seconds = duration_s;
    l.acquire_time = now;
    l.renew_time = now;
    auto created = client_->Create(LeaseKind(), config_.lease_namespace, l.ToJson());
    if (!created.ok() || !created->ok()) {
      if (created.ok() && created->code == 409) return false;  // another candidate created it first
      const int64_t now_ms = now_us / 1000;
      if (const uint64_t n = missing_lease_log_.Note(now_ms); n > 0) {
        log::Warn("leader", "lease missing and cannot be created; no leader until it exists",
                  {{"lease", config_.lease_name},
                   {"namespace", config_.lease_namespace},
                   {"code", created.ok() ? created->code : 0},
                   {"attempts", n},
                   {"hint", "a Lease the Helm chart owns is recreated by helm upgrade"}});
      }
      return false;
    }
    observed_ = l;
    observed_at_ = std::chrono::steady_clock::now();
    epoch_ = 0;
    return true;
  }
  if (!got->ok()) {
    log::Warn("leader", "get lease failed", {{"error", got->Message()}});
    return false;
  }
  auto current = Lease::FromJson(got->body);
  if (!current.ok()) return false;
  if (!observed_ || observed_->holder_identity != current->holder_identity ||
      observed_->renew_time != current->renew_time || observed_->lease_transitions != current->lease_transitions) {
    observed_ = *current;
    observed_at_ = std::chrono::steady_clock::now();
  }
  const bool held_by_other = !current->holder_identity.empty() && current->holder_identity != config_.identity;
  const auto other_duration = std::chrono::seconds(std::max<int64_t>(current->lease_duration_seconds, 1));
  if (held_by_other && std::chrono::steady_clock::now() < observed_at_ + other_duration) return false;

  Lease next = *current;
  next.holder_identity = config_.identity;
  next.lease_duration_seconds = duration_s;
  next.renew_time = now;
  if (current->holder_identity != config_.identity) {
    next.acquire_time = now;
    next.lease_transitions = current->lease_transitions + 1;
  }
  auto put = client_->Replace(LeaseKind(), next.ToJson());
  if (!put.ok() || !put->ok()) return false;  // 409: someone else won this round
  auto stored = Lease::FromJson(put->body);
  observed_ = stored.ok() ? *stored : next;
  observed_at_ = std::chrono::steady_clock::now();
  epoch_ = next.lease_transitions;
  return true;
}

bool LeaderElector::Release() {
  auto got = client_->Get(LeaseKind(), config_.lease_namespace, config_.lease_name);
  if (!got.ok() || !got->ok()) {
    // A standby then waits out the lease duration instead of leading at once.
    log::Warn("leader", "cannot release lease: reading it failed",
              {{"lease", config_.lease_name},
               {"code", got.ok() ? got->code : 0},
               {"error", got.ok() ? std::string("HTTP ") + std::to_string(got->code) : got.error().message}});
    return false;
  }
  auto current = model::Lease::FromJson(got->body);
  if (!current.ok() || current->holder_identity != config_.identity) return false;
  model::Lease next = *current;
  next.holder_identity = "";
  next.lease_duration_seconds = 1;
  next.renew_time = model::FormatMicroTime(model::NowMicros());
  auto put = client_->Replace(LeaseKind(), next.ToJson());
  const bool released = put.ok() && put->ok();
  if (released) {
    log::Info("leader", "released lease", {{"lease", config_.lease_name}});
  } else {
    log::Warn("leader", "cannot release lease: the update failed",
              {{"lease", config_.lease_name}, {"code", put.ok() ? put->code : 0}});
  }
  return released;
}

void LeaderElector::Run(std::stop_token stop) {
  std::mt19937 rng{std::random_device{}()};
  auto jittered = [&](std::chrono::milliseconds d) {
    return d + std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, d.count() / 5)(rng));
  };
  while (!stop.stop_requested()) {
    // Acquire.
    while (!stop.stop_requested() && !TryAcquireOrRenew()) Sleep(stop, jittered(config_.retry_period));
    if (stop.stop_requested()) return;
    leading_ = true;
    log::Info("leader", "became leader",
              {{"lease", config_.lease_name}, {"identity", config_.identity}, {"epoch", epoch_.load()}});
    if (callbacks_.on_started_leading) callbacks_.on_started_leading(epoch_.load());
    // Renew until a renewal fails for longer than the renew deadline.
    auto last_renew = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
      Sleep(stop, config_.retry_period);
      if (stop.stop_requested()) return;
      if (TryAcquireOrRenew()) {
        last_renew = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_renew > config_.renew_deadline) {
        break;
      }
    }
    leading_ = false;
    log::Error("leader", "lost leadership", {{"lease", config_.lease_name}, {"identity", config_.identity}});
    if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
  }
}

}  // namespace rackboot::k8s
