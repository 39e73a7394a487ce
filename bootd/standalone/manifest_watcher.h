#pragma once
// ManifestWatcher: standalone bootd's source of Assignments. Loads the
// manifest directory into the AssignmentStore at start, then reloads it
// whenever a file there changes (inotify). Readers hold immutable snapshots,
// so a reload never disturbs a lease or a transfer in flight; a bad manifest
// is logged (file, line, field) and skipped while the rest keep serving.
// A booted callback is recorded in the provisioned records file (so a
// bootOnce machine stops netbooting, across restarts) and reloads.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bootd/assignments/assignment_store.h"
#include "bootd/assignments/provisioned_records.h"
#include "bootd/events/boot_event.h"
#include "bootd/service.h"
#include "bootd/standalone/manifest_directory.h"

namespace rackboot::bootd::standalone {

class ManifestWatcher : public Service {
 public:
  // Only Machines of `rack` are served (empty: all). `artifact_root` holds
  // the boot trees "latest" paths resolve against (empty: none).
  // `provisioned_path`: the booted records file (empty: none kept, every
  // bootOnce machine netboots again after a restart).
  ManifestWatcher(std::string dir, std::string rack, AssignmentStore& store, std::string artifact_root = "",
                  std::string provisioned_path = "");
  ~ManifestWatcher() override;

  std::string name() const override { return "manifests"; }
  // Reads the provisioned records (a malformed file fails the start with
  // file, line and field), loads once (problems are logged, not fatal), then
  // watches. Fails too when the directory cannot be watched.
  Status Start() override;
  void Stop() override;

  // Reads the directory now and publishes the result. Returns what it found.
  ManifestLoad Reload();
  // Number of completed loads (start + reloads); for tests and logs.
  uint64_t loads() const { return loads_.load(); }
  ManifestLoad last_load() const;
  // A boot event (bootd's recorder calls every subscriber): a booted
  // callback of a known machine is recorded durably, then the manifests are
  // resolved again, before the callback is answered.
  void OnBootEvent(const BootEvent& event);

 private:
  void WatchLoop();

  std::string dir_;
  std::string rack_;
  AssignmentStore& store_;
  std::string artifact_root_;
  std::string provisioned_path_;
  std::unique_ptr<ProvisionedRecords> provisioned_;  // set by Start() when a path is given
  std::mutex reload_mu_;  // one reload at a time (watch thread, booted callbacks): the newest load is published last
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd that wakes the watch thread on Stop()
  std::thread thread_;
  std::atomic<uint64_t> loads_{0};
  mutable std::mutex mu_;
  ManifestLoad last_;
};

}  // namespace rackboot::bootd::standalone
