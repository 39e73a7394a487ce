#include "bootd/explain/offline_state.h"

#include "bootd/agent/assignment_conversion.h"
#include "bootd/agent/boot_once_guard.h"
#include "bootd/agent/snapshot_file.h"
#include "bootd/assignments/provisioned_records.h"
#include "bootd/standalone/manifest_directory.h"
#include "common/yaml_config.h"

namespace rackboot::bootd::explain {

Result<std::unique_ptr<OfflineState>> LoadOfflineState(const BootdConfig& config) {
  auto state = std::make_unique<OfflineState>();
  if (!config.manifest_dir.empty()) {
    ProvisionedRecords::Map booted;
    try {
      booted = ProvisionedRecords(config.state_dir + "/provisioned-machines.yaml").Snapshot();
    } catch (const ConfigError& e) {
      return Error{std::string("provisioned records: ") + e.what()};
    }
    standalone::ManifestLoad load =
        standalone::LoadManifestDirectory(config.manifest_dir, config.rack, config.http.artifact_root, &booted);
    for (const auto& p : load.problems) state->problems.push_back(p.message);
    state->assignments.ReplaceAll(std::move(load.assignments));
    state->assignments.SetDefault(load.default_assignment);
    state->source = "manifests in " + config.manifest_dir + " (offline)";
    return state;
  }
  if (config.controller.enabled) {
    auto snapshot = agent::ReadSnapshotFile(config.controller.snapshot_path);
    if (!snapshot.ok()) {
      return Error{"no assignments snapshot to read offline (" + config.controller.snapshot_path +
                   "): " + snapshot.error().message + "; bootd has not received a push from the controller yet"};
    }
    std::vector<Assignment> assignments;
    for (const auto& in : snapshot->assignments()) {
      auto a = agent::AssignmentFromProto(in, config.rack);
      if (!a.ok()) {
        state->problems.push_back("snapshot: " + in.machine_name() + ": " + a.error().message);
        continue;
      }
      assignments.push_back(std::move(*a));
    }
    // What bootd serves: the push with its own booted records applied.
    if (!config.state_dir.empty()) {
      try {
        agent::BootOnceGuard(config.state_dir + "/provisioned-machines.yaml").Apply(&assignments);
      } catch (const ConfigError& e) {
        return Error{std::string("provisioned records: ") + e.what()};
      }
    }
    state->assignments.ReplaceAll(std::move(assignments));
    state->source = "assignments snapshot " + config.controller.snapshot_path + " version " +
                    std::to_string(snapshot->version()) + " (offline)";
    return state;
  }
  return Error{"the configuration names neither manifestDir nor controller: no machines to explain"};
}

}  // namespace rackboot::bootd::explain
