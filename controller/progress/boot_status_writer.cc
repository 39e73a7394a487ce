#include "controller/progress/boot_status_writer.h"

#include "common/log.h"
#include "common/net_address.h"
#include "controller/model/event.h"
#include "controller/reconcile/machine_controller.h"

namespace rackboot::controller::progress {
namespace {

using model::Json;

constexpr int kMaxConflictRetries = 5;
// A write that fails (API server unreachable, 5xx) is retried on later
// passes, a second apart, before its events are given up.
constexpr int kMaxFailedWrites = 10;
constexpr auto kRetryPause = std::chrono::seconds(1);

std::string NowText() {
  return model::FormatTime(model::NowMicros() / 1000000);
}

std::string NormalMac(const std::string& mac) {
  auto m = MacAddress::Parse(mac);
  return m ? m->ToString() : mac;
}

}  // namespace

BootStatusWriter::BootStatusWriter(std::shared_ptr<k8s::ApiClient> client, BootEventQueue& queue,
                                   BootStatusWriterOptions options, const k8s::ObjectStore* machines)
    : client_(std::move(client)),
      queue_(queue),
      options_(std::move(options)),
      machines_(machines),
      events_(std::make_unique<k8s::EventSink>(client_, EventKind())) {}

BootStatusWriter::~BootStatusWriter() {
  Stop();
}

void BootStatusWriter::Start() {
  thread_ = std::thread([this] {
    while (!stopping_) {
      if (Process(queue_.PopAll(std::chrono::milliseconds(500))) && !stopping_)
        std::this_thread::sleep_for(kRetryPause);
    }
    Process(queue_.PopAll(std::chrono::milliseconds(0)));
  });
}

void BootStatusWriter::Stop() {
  stopping_ = true;
  queue_.Close();
  if (thread_.joinable()) thread_.join();
  events_->Stop();  // sends the Events of the last writes
}

// Returns true when some events were queued again for a retry.
bool BootStatusWriter::Process(std::vector<RackBootEvent> events) {
  // Group per Machine (or per MAC when bootd did not know it), keeping order.
  std::map<std::string, std::vector<const RackBootEvent*>> by_machine;
  std::map<std::string, std::vector<const RackBootEvent*>> by_unknown_mac;
  std::set<const RackBootEvent*> failed;
  for (const auto& e : events) {
    if (!e.event.machine_name().empty()) {
      by_machine[e.event.machine_name()].push_back(&e);
    } else if (!e.event.mac().empty() && NormalMac(e.event.mac()) != "00:00:00:00:00:00") {
      // (A zero MAC is a TFTP transfer bootd could not attribute: no client to name.)
      by_unknown_mac[NormalMac(e.event.mac())].push_back(&e);
    }
  }
  for (const auto& [key, group] : by_machine) {
    const size_t slash = key.find('/');
    const std::string ns = slash == std::string::npos ? "" : key.substr(0, slash);
    const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
    Status s = WriteMachine(ns, name, group, false, false);
    if (!s.ok()) {
      log::Warn("controller", "boot progress not written",
                {{"machine", key}, {"events", group.size()}, {"error", s.message()}});
      for (const RackBootEvent* e : group) failed.insert(e);
    }
  }
  for (const auto& [mac, group] : by_unknown_mac) {
    Status s = HandleUnknownMac(mac, group);
    if (!s.ok()) log::Warn("controller", "unknown client not recorded", {{"mac", mac}, {"error", s.message()}});
  }
  // bootd's EventAck covers an event only after this: stored, or given up.
  std::vector<RackBootEvent> retry;
  std::vector<std::function<void()>> done;
  for (auto& e : events) {
    if (failed.count(&e) && ++e.failed_writes < kMaxFailedWrites && !stopping_) {
      retry.push_back(std::move(e));
    } else if (e.stored) {
      done.push_back(std::move(e.stored));
    }
  }
  const bool retrying = !retry.empty() && queue_.Requeue(retry);
  for (auto& e : retry) done.push_back(std::move(e.stored));  // closed: given up
  for (auto& stored : done) {
    if (stored) stored();
  }
  return retrying;
}

Status BootStatusWriter::WriteMachine(const std::string& ns, const std::string& name,
                                      const std::vector<const RackBootEvent*>& events, bool fingerprint_only,
                                      bool mark_discovered) {
  MergeOptions merge;
  merge.loop_threshold = options_.loop_threshold;
  merge.fingerprint_only = fingerprint_only;
  for (int attempt = 0; attempt <= kMaxConflictRetries; ++attempt) {
    auto got = client_->Get(MachineKind(), ns, name);
    if (!got.ok()) return got.error();
    if (got->code == 404) {
      log::Debug("controller", "boot events for a Machine that is gone", {{"machine", ns + "/" + name}});
      return Status::Ok();
    }
    if (!got->ok()) return Error{"read Machine: " + got->Message()};
    Json object = got->body;
    const Json* status_field = model::Field(object, "status");
    Json status = status_field ? *status_field : Json::object();
    const MachineBootState before = BootStateFromStatus(status);
    MachineBootState state = before;
    // Reconcile may have written Pending first (the Machine has no profile).
    if (mark_discovered && (state.phase.empty() || state.phase == "Pending")) state.phase = kPhaseDiscovered;
    std::vector<BootNote> notes;
    const std::string now = NowText();
    for (const RackBootEvent* e : events) {
      auto n = MergeBootEvent(&state, e->event, merge, now);
      notes.insert(notes.end(), n.begin(), n.end());
    }
    if (state == before) return Status::Ok();
    ApplyBootState(state, &status);
    object["status"] = status;
    auto r = client_->ReplaceStatus(MachineKind(), object);
    if (!r.ok()) return r.error();
    if (r->code == 409) {
      ++conflicts_;
      continue;  // re-read and merge again
    }
    if (r->code == 404) return Status::Ok();
    if (!r->ok()) return Error{"status write: " + r->Message()};
    ++writes_;
    log::Info("controller", "boot progress written",
              {{"machine", ns + "/" + name},
               {"phase", state.phase},
               {"stage", state.progress.last_stage},
               {"mac", events.back()->event.mac()}});
    for (const auto& n : notes) RecordEvent(r->body, n);
    return Status::Ok();
  }
  return Error{"status write: too many conflicts"};
}

Status BootStatusWriter::HandleUnknownMac(const std::string& mac, const std::vector<const RackBootEvent*>& events) {
  if (machines_) {
    for (const auto& key : machines_->KeysByIndex(kIndexByMac, mac)) {
      // A Machine without an assignment (no profile, Discovered, not ready):
      // only the fingerprint is news.
      const size_t slash = key.find('/');
      return WriteMachine(slash == std::string::npos ? "" : key.substr(0, slash),
                          slash == std::string::npos ? key : key.substr(slash + 1), events, true, false);
    }
  }
  if (!options_.discovery.create_machines) return Status::Ok();
  const std::string name = DiscoveredMachineName(mac);
  if (name.empty()) return Error{"not a MAC address"};
  const std::string& ns = options_.discovery.namespace_;
  if (!created_.count(mac)) {
    if (created_.size() >= options_.discovery.max_machines) {
      log::Warn("controller", "discovery limit reached: no Machine created for an unknown client",
                {{"mac", mac}, {"limit", options_.discovery.max_machines}});
      return Status::Ok();
    }
    auto r = client_->Create(MachineKind(), ns, DiscoveredMachineJson(ns, events.front()->rack, mac));
    if (!r.ok()) return r.error();
    // 409 AlreadyExists: an earlier run (or replica) created it; same object.
    if (!r->ok() && r->code != 409) return Error{"create Discovered Machine: " + r->Message()};
    created_.insert(mac);
    if (r->ok()) {
      ++discovered_;
      log::Info("controller", "discovered an unknown machine",
                {{"mac", mac}, {"machine", ns + "/" + name}, {"rack", events.front()->rack}});
    }
  }
  return WriteMachine(ns, name, events, true, true);
}

void BootStatusWriter::RecordEvent(const Json& machine, const BootNote& note) {
  model::EventRecord rec;
  rec.api_version = "rackboot.io/v1alpha1";
  rec.kind = "Machine";
  rec.object = model::ObjectMeta::FromJson(machine);
  rec.type = note.type;
  rec.reason = note.reason;
  rec.message = note.message;
  rec.instance = options_.identity;
  const int64_t now = model::NowMicros();
  const std::string suffix =
      "boot" + std::to_string(now) + "-" + std::to_string(event_seq_.fetch_add(1, std::memory_order_relaxed));
  events_->Post(rec.object.namespace_.empty() ? "default" : rec.object.namespace_, rec.ToJson(suffix, now),
                note.type == "Warning");
}

}  // namespace rackboot::controller::progress
