#include "controller/reconcile/boot_profile_controller.h"

#include "common/log.h"
#include "controller/reconcile/boot_profile_decision.h"
#include "controller/reconcile/machine_controller.h"

namespace rackboot::controller {
namespace {

constexpr int kMaxConflictRetries = 5;

}  // namespace

BootProfileController::BootProfileController(
    std::shared_ptr<k8s::ApiClient> client, k8s::Informer& machines, k8s::Informer& profiles,
    std::function<resolve::SecretData(const model::Machine&, const model::BootProfile*)> secrets)
    : client_(std::move(client)), machines_(machines), profiles_(profiles), secrets_(std::move(secrets)) {}

BootProfileController::~BootProfileController() {
  Stop();
}

void BootProfileController::StartLeading() {
  if (stopping_ || leading_thread_.joinable()) return;
  leading_thread_ = std::jthread([this] {
    if (!machines_.WaitForSync() || !profiles_.WaitForSync() || stopping_) return;
    for (const auto& key : profiles_.store().Keys()) queue_.Add(key);
    worker_ = std::jthread([this] { Worker(); });
  });
}

void BootProfileController::Stop() {
  stopping_ = true;
  if (leading_thread_.joinable()) leading_thread_.join();
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
}

void BootProfileController::Worker() {
  while (auto key = queue_.Get()) {
    Status s = Reconcile(*key);
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      log::Warn("controller", "BootProfile status failed, will retry", {{"bootprofile", *key}, {"error", s.message()}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

Status BootProfileController::Reconcile(const std::string& key) {
  auto cached = profiles_.store().Get(key);
  if (!cached) return Status::Ok();  // deleted: no status to write
  web::json::value object = std::move(*cached);
  for (int attempt = 0; attempt <= kMaxConflictRetries; ++attempt) {
    auto profile = model::BootProfile::FromJson(object);
    if (!profile.ok()) return profile.error();
    std::vector<model::Machine> users;
    for (const auto& mkey : machines_.store().KeysByIndex(kIndexByProfile, key)) {
      auto mo = machines_.store().Get(mkey);
      if (!mo) continue;
      auto m = model::Machine::FromJson(*mo);
      if (m.ok() && m->meta.deletion_timestamp.empty()) users.push_back(std::move(m.value()));
    }
    SecretsOfMachine secrets_of;
    if (secrets_) secrets_of = [&](const model::Machine& m) { return secrets_(m, &*profile); };
    BootProfileDecision d =
        DecideBootProfile(*profile, users, model::FormatTime(model::NowMicros() / 1000000), secrets_of);
    if (!d.status_changed) return Status::Ok();
    auto r = client_->ReplaceStatus(BootProfileKind(), profile->WithStatus(d.status));
    if (!r.ok()) return r.error();
    if (r->code == 404) return Status::Ok();
    if (r->code == 409) {
      auto fresh = client_->Get(BootProfileKind(), profile->meta.namespace_, profile->meta.name);
      if (!fresh.ok()) return fresh.error();
      if (fresh->code == 404) return Status::Ok();
      if (!fresh->ok()) return Error{"re-read after conflict: " + fresh->Message()};
      k8s::StripManagedFields(&fresh->body);
      object = std::move(fresh->body);
      continue;
    }
    if (!r->ok()) return Error{"BootProfile status write: " + r->Message()};
    ++status_writes_;
    const model::Condition* ready = model::FindCondition(d.status.conditions, kConditionReady);
    log::Info("controller", "BootProfile status written",
              {{"bootprofile", key},
               {"machines", d.status.machines},
               {"ready", ready ? ready->status : ""},
               {"reason", ready ? ready->reason : ""}});
    return Status::Ok();
  }
  return Error{"BootProfile status write: too many conflicts"};
}

}  // namespace rackboot::controller
