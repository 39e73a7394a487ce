#pragma once
// Writes BootProfile status (boot_profile_decision.h) through /status,
// level-triggered like MachineController: a change of a BootProfile, or of
// a Machine that references one (before or after the change), queues the
// profile's key; a worker (only while this replica leads) reads both from
// the MachineController's informer caches, decides, and replaces status
// when it differs (409: re-read and decide again). No informers of its own:
// it shares the Machine and BootProfile caches.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "controller/k8s/api_client.h"
#include "controller/k8s/informer.h"
#include "controller/k8s/workqueue.h"
#include "controller/model/boot_profile.h"
#include "controller/model/machine.h"
#include "resolve/secret_data.h"

namespace rackboot::controller {

class BootProfileController {
 public:
  // `machines` must carry the "profile" index (kIndexByProfile). `secrets`:
  // the Secret values a Machine resolves with (MachineController's caches).
  BootProfileController(
      std::shared_ptr<k8s::ApiClient> client, k8s::Informer& machines, k8s::Informer& profiles,
      std::function<resolve::SecretData(const model::Machine&, const model::BootProfile*)> secrets = nullptr);
  ~BootProfileController();

  // A profile ("ns/name") may need a new status; any thread.
  void Enqueue(const std::string& profile_key) { queue_.Add(profile_key); }
  // On a thread of its own: wait for the caches, queue every profile, start
  // the worker.
  void StartLeading();
  void Stop();

  Status Reconcile(const std::string& key);
  uint64_t status_writes() const { return status_writes_.load(); }

 private:
  void Worker();

  std::shared_ptr<k8s::ApiClient> client_;
  k8s::Informer& machines_;
  k8s::Informer& profiles_;
  std::function<resolve::SecretData(const model::Machine&, const model::BootProfile*)> secrets_;
  k8s::WorkQueue queue_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> status_writes_{0};
  std::jthread leading_thread_;
  std::jthread worker_;
};

}  // namespace rackboot::controller
