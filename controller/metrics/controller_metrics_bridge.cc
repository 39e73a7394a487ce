#include "controller/metrics/controller_metrics_bridge.h"

#include <algorithm>

#include "common/metrics/label_values.h"
#include "controller/model/machine.h"
#include "controller/reconcile/machine_controller.h"

namespace rackboot::controller {

namespace {

// proto BootStage (1..9) -> the label spelling (label_values.h).
std::string_view StageLabel(v1alpha1::BootStage stage) {
  const int i = static_cast<int>(stage);
  if (i < 1 || i > static_cast<int>(metrics::kBootStages.size())) return {};
  return metrics::kBootStages[static_cast<size_t>(i - 1)];
}

bool KnownPhase(std::string_view phase) {
  return std::find(metrics::kMachinePhases.begin(), metrics::kMachinePhases.end(), phase) !=
         metrics::kMachinePhases.end();
}

// The stages of the machine's current (or last) attempt,
// status.bootProgress.stages[].stage, each once (bootd owns the field; the
// schema makes it a map keyed by stage, so a repeat would be a bug upstream).
std::set<std::string> AttemptStages(const model::Json& object) {
  std::set<std::string> out;
  const model::Json* status = model::Field(object, "status");
  const model::Json* progress = status ? model::Field(*status, "bootProgress") : nullptr;
  const model::Json* stages = progress ? model::Field(*progress, "stages") : nullptr;
  if (stages == nullptr || !stages->is_array()) return out;
  for (const auto& s : stages->as_array()) {
    const std::string stage = model::StringAt(s, "stage");
    if (std::find(metrics::kBootStages.begin(), metrics::kBootStages.end(), stage) != metrics::kBootStages.end()) {
      out.insert(stage);
    }
  }
  return out;
}

bool InBootLoop(const model::Machine& machine) {
  const model::Condition* c = model::FindCondition(machine.status.conditions, "BootLoop");
  return c != nullptr && c->status == "True";
}

}  // namespace

std::string_view BootFailureReason(std::string_view detail) {
  if (detail.find("render failed") != std::string_view::npos) return "ScriptRenderFailed";
  if (detail.find("unavailable") != std::string_view::npos) return "ArtifactUnavailable";
  return "BootError";
}

ControllerMetricsBridge::ControllerMetricsBridge(metrics::ControllerMetrics& metrics, std::vector<RackNetwork> racks)
    : m_(metrics), racks_(std::move(racks)) {
  for (const RackNetwork& r : racks_) {
    m_.AddRack(r.name);
    racks_seen_.insert(r.name);
    for (std::string_view reason : {"ScriptRenderFailed", "ArtifactUnavailable", "BootError"}) {
      m_.boot_failures.Add({{"rack", r.name}, {"reason", std::string(reason)}});
    }
    for (const char* result : {"ack", "nack"}) m_.assignment_pushes.Add({{"rack", r.name}, {"result", result}});
  }
  for (const char* result : {"success", "error"}) m_.reconciles.Add({{"kind", "machine"}, {"result", result}});
  m_.ReconcileDuration("machine");
  m_.workqueue_depth.Add({{"queue", "machine"}});
  m_.workqueue_adds.Add({{"queue", "machine"}});
  m_.workqueue_retries.Add({{"queue", "machine"}});
  m_.WorkqueueQueueDuration("machine");
}

void ControllerMetricsBridge::Watch(MachineController* machines) {
  std::lock_guard lock(mu_);
  machines_ = machines;
}

void ControllerMetricsBridge::SetLeader(bool leader) {
  m_.leader.Add({}).Set(leader ? 1 : 0);
}

void ControllerMetricsBridge::Refresh() {
  std::lock_guard lock(mu_);
  if (machines_ == nullptr) return;
  MachineController* mc = machines_;
  m_.workqueue_depth.Add({{"queue", "machine"}}).Set(static_cast<double>(mc->queue_depth()));
  if (!mc->machines().HasSynced()) return;  // a partial cache would report too few machines
  std::map<std::pair<std::string, std::string>, int> by_rack_phase;
  std::map<std::pair<std::string, std::string>, int> by_rack_stage;
  std::map<std::string, int> allocated;
  std::map<std::string, int> boot_loops;
  for (const auto& object : mc->machines().store().List()) {
    auto machine = model::Machine::FromJson(object);
    if (!machine.ok() || machine->spec.rack.empty()) continue;
    const std::string phase = machine->status.phase.empty() ? "Pending" : machine->status.phase;
    if (!KnownPhase(phase)) continue;
    ++by_rack_phase[{machine->spec.rack, phase}];
    if (!machine->status.ipv4.empty()) ++allocated[machine->spec.rack];
    for (const std::string& stage : AttemptStages(object)) ++by_rack_stage[{machine->spec.rack, stage}];
    if (InBootLoop(*machine)) ++boot_loops[machine->spec.rack];
    racks_seen_.insert(machine->spec.rack);
  }
  for (const std::string& rack : racks_seen_) {
    for (std::string_view phase : metrics::kMachinePhases) {
      auto it = by_rack_phase.find({rack, std::string(phase)});
      m_.machines.Add({{"rack", rack}, {"phase", std::string(phase)}}).Set(it == by_rack_phase.end() ? 0 : it->second);
    }
    for (std::string_view stage : metrics::kBootStages) {
      auto it = by_rack_stage.find({rack, std::string(stage)});
      m_.machines_boot_stage.Add({{"rack", rack}, {"stage", std::string(stage)}})
          .Set(it == by_rack_stage.end() ? 0 : it->second);
    }
    auto loops = boot_loops.find(rack);
    m_.machines_boot_loop.Add({{"rack", rack}}).Set(loops == boot_loops.end() ? 0 : loops->second);
  }
  for (const RackNetwork& r : racks_) {
    if (!r.has_pool) continue;  // ProxyDHCP rack: the site's DHCP server owns the addresses
    const double size = static_cast<double>(r.pool_end.value()) - r.pool_start.value() + 1;
    const double used = allocated.count(r.name) ? allocated[r.name] : 0;
    m_.ip_pool_addresses.Add({{"rack", r.name}, {"state", "allocated"}}).Set(used);
    m_.ip_pool_addresses.Add({{"rack", r.name}, {"state", "free"}}).Set(std::max(0.0, size - used));
  }
}

void ControllerMetricsBridge::OnReconcile(std::string_view kind, bool ok, double seconds) {
  m_.reconciles.Add({{"kind", std::string(kind)}, {"result", ok ? "success" : "error"}}).Increment();
  m_.ReconcileDuration(kind).Observe(seconds);
}

void ControllerMetricsBridge::OnAdd() {
  m_.workqueue_adds.Add({{"queue", "machine"}}).Increment();
}

void ControllerMetricsBridge::OnRetry() {
  m_.workqueue_retries.Add({{"queue", "machine"}}).Increment();
}

void ControllerMetricsBridge::OnGet(double seconds) {
  m_.WorkqueueQueueDuration("machine").Observe(seconds);
}

void ControllerMetricsBridge::OnBootEvent(const std::string& rack, const v1alpha1::BootEvent& event) {
  const std::string_view stage = StageLabel(event.stage());
  if (stage.empty()) return;
  m_.boot_stages.Add({{"rack", rack}, {"stage", std::string(stage)}}).Increment();
  if (event.stage() == v1alpha1::BOOT_STAGE_ERROR) {
    m_.boot_failures.Add({{"rack", rack}, {"reason", std::string(BootFailureReason(event.detail()))}}).Increment();
  }
  std::lock_guard lock(mu_);
  const BootKey key{rack, event.mac()};
  if (event.stage() == v1alpha1::BOOT_STAGE_DHCP_DISCOVER) {
    // A new attempt starts at its first DISCOVER; retransmitted DISCOVERs of
    // the same attempt keep the original start.
    if (boot_started_ms_.count(key)) return;
    if (boot_started_ms_.size() >= kMaxTrackedBoots) {
      auto oldest = std::min_element(boot_started_ms_.begin(), boot_started_ms_.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; });
      boot_started_ms_.erase(oldest);
    }
    boot_started_ms_[key] = event.unix_millis();
    return;
  }
  auto it = boot_started_ms_.find(key);
  if (it == boot_started_ms_.end()) return;  // attempt started before we saw it
  const double seconds = static_cast<double>(std::max<int64_t>(0, event.unix_millis() - it->second)) / 1000.0;
  m_.BootStageDuration(rack, stage).Observe(seconds);
  if (event.stage() == v1alpha1::BOOT_STAGE_BOOTED || event.stage() == v1alpha1::BOOT_STAGE_ERROR) {
    boot_started_ms_.erase(it);
  }
}

void ControllerMetricsBridge::OnAck(const std::string& rack, uint64_t version) {
  m_.assignment_pushes.Add({{"rack", rack}, {"result", "ack"}}).Increment();
  m_.bootd_acked_version.Add({{"rack", rack}}).Set(static_cast<double>(version));
}

void ControllerMetricsBridge::OnNack(const std::string& rack, uint64_t /*version*/, const std::string& /*error_detail*/,
                                     const std::vector<std::string>& /*machines*/) {
  m_.assignment_pushes.Add({{"rack", rack}, {"result", "nack"}}).Increment();
}

void ControllerMetricsBridge::OnStreamOpened(const std::string& rack) {
  std::lock_guard lock(mu_);
  ++streams_by_rack_[rack];
  m_.bootd_streams.Add({{"rack", rack}}).Increment();
  m_.bootd_connected.Add({{"rack", rack}}).Set(1);
}

void ControllerMetricsBridge::OnStreamClosed(const std::string& rack) {
  std::lock_guard lock(mu_);
  int& open = streams_by_rack_[rack];
  if (open > 0) --open;
  m_.bootd_connected.Add({{"rack", rack}}).Set(open > 0 ? 1 : 0);
}

void ControllerMetricsBridge::OnUpdateSent(const std::string& rack, uint64_t version) {
  m_.assignment_version.Add({{"rack", rack}}).Set(static_cast<double>(version));
}

}  // namespace rackboot::controller
