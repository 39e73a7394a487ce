#include "bootd/standalone/manifest_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"

namespace rackboot::bootd::standalone {
namespace {

// Editors and `kubectl cp`-like tools write in several steps; wait for the
// directory to be quiet this long before reloading.
constexpr int kQuietMillis = 150;

}  // namespace

ManifestWatcher::ManifestWatcher(std::string dir, std::string rack, AssignmentStore& store, std::string artifact_root,
                                 std::string provisioned_path)
    : dir_(std::move(dir)),
      rack_(std::move(rack)),
      store_(store),
      artifact_root_(std::move(artifact_root)),
      provisioned_path_(std::move(provisioned_path)) {}

ManifestWatcher::~ManifestWatcher() {
  Stop();
}

ManifestLoad ManifestWatcher::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  const ProvisionedRecords::Map booted = provisioned_ ? provisioned_->Snapshot() : ProvisionedRecords::Map{};
  ManifestLoad load = LoadManifestDirectory(dir_, rack_, artifact_root_, &booted);
  for (const ManifestProblem& p : load.problems) {
    log::Warn("manifests", "manifest skipped",
              {{"file", p.file}, {"line", p.line}, {"field", p.field}, {"error", p.message}});
  }
  {
    // Recorded before publishing, so whoever sees the new assignments also
    // sees the problems that came with them.
    std::lock_guard<std::mutex> lock(mu_);
    last_ = load;
  }
  store_.SetDefault(load.default_assignment);
  store_.ReplaceAll(load.assignments);
  log::Info("manifests", "manifests loaded",
            {{"dir", dir_},
             {"files", load.files},
             {"machines", load.assignments.size()},
             {"profiles", load.profiles},
             {"default_profile", load.default_profile.empty() ? "(none)" : load.default_profile},
             {"boot_trees", load.boot_trees},
             {"problems", load.problems.size()}});
  ++loads_;
  return load;
}

void ManifestWatcher::OnBootEvent(const BootEvent& e) {
  if (e.stage != BootStage::kBooted || e.machine_name.empty() || !provisioned_) return;
  auto changed =
      provisioned_->Record(e.machine_name, {e.reprovision, static_cast<int64_t>(e.generation), e.unix_millis});
  if (!changed.ok()) {
    log::Error("manifests", "booted callback not recorded: a bootOnce machine would install again",
               {{"mac", e.mac.ToString()},
                {"machine", e.machine_name},
                {"stage", "booted"},
                {"file", provisioned_->path()},
                {"error", changed.error().message}});
    return;
  }
  if (!*changed) return;
  log::Info("manifests", "booted recorded",
            {{"mac", e.mac.ToString()},
             {"machine", e.machine_name},
             {"stage", "booted"},
             {"reprovision", e.reprovision},
             {"generation", e.generation}});
  // Every booted machine is recorded (so turning bootOnce on later acts as
  // in the cluster), but only a bootOnce one serves differently now; the
  // others need no reload (and log no "manifests loaded" a watcher of the
  // log could mistake for a reload of edited files).
  AssignmentStore::Ptr served = store_.FindByName(e.machine_name);
  if (served && served->boot_once) Reload();
}

ManifestLoad ManifestWatcher::last_load() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

Status ManifestWatcher::Start() {
  if (!provisioned_path_.empty()) {
    try {
      provisioned_ = std::make_unique<ProvisionedRecords>(provisioned_path_);
    } catch (const ConfigError& e) {
      return Error{std::string("provisioned records: ") + e.what()};
    }
  }
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) return Error{std::string("inotify_init1: ") + std::strerror(errno)};
  // IN_MOVED_TO also covers ConfigMap-style updates (an atomic rename of a
  // "..data" symlink) and editors that save by renaming a temporary file.
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB;
  if (inotify_add_watch(inotify_fd_, dir_.c_str(), mask) < 0) {
    Status s = Error{"cannot watch manifest directory " + dir_ + ": " + std::strerror(errno)};
    close(inotify_fd_);
    inotify_fd_ = -1;
    return s;
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) return Error{std::string("eventfd: ") + std::strerror(errno)};
  Reload();
  thread_ = std::thread([this] { WatchLoop(); });
  return Status::Ok();
}

void ManifestWatcher::Stop() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    if (write(stop_fd_, &one, sizeof(one)) < 0) {
      // eventfd write only fails on overflow; the thread still sees it readable.
    }
    thread_.join();
  }
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  inotify_fd_ = stop_fd_ = -1;
}

void ManifestWatcher::WatchLoop() {
  bool pending = false;
  alignas(inotify_event) char buf[4096];
  for (;;) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int n = poll(fds, 2, pending ? kQuietMillis : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::Error("manifests", "poll failed; manifest reloads stopped", {{"error", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents & POLLIN) return;
    if (n == 0) {  // quiet for kQuietMillis after a change
      pending = false;
      Reload();
      continue;
    }
    if (fds[0].revents & POLLIN) {
      while (read(inotify_fd_, buf, sizeof(buf)) > 0) {
      }
      pending = true;
    }
  }
}

}  // namespace rackboot::bootd::standalone
