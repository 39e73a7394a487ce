#pragma once
// Machine (rackboot.io/v1alpha1): one bare-metal host. Field names follow
// crds/machine.yaml. The raw object is kept so status writes preserve fields
// other writers own (boot progress from bootd).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"
#include "resolve/machine_spec.h"
#include "resolve/netboot_decision.h"

namespace rackboot::model {

// The spec is the resolver's typed model (resolve/machine_spec.h): the same
// struct standalone bootd fills from YAML.
using MachineInterface = resolve::MachineInterface;
using MachineSpec = resolve::MachineSpec;

struct MachineStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  std::string phase;  // Pending | Assigned | ... (human summary)
  std::string ipv4;   // the resolved address of the primary interface
  // status.provisioned: the last booted callback, written by boot progress
  // (controller/progress/), read here only; reconcile never writes it.
  std::optional<resolve::ProvisionRecord> provisioned;
};

// status.provisioned <-> the resolver's record: {reprovision, generation, time}.
std::optional<resolve::ProvisionRecord> ProvisionedFromStatus(const Json& status);
Json ProvisionedToJson(const resolve::ProvisionRecord& record);

struct Machine {
  ObjectMeta meta;
  MachineSpec spec;
  MachineStatus status;
  std::string reprovision;  // metadata.annotations["rackboot.io/reprovision"]
  bool discovered = false;  // metadata.labels["rackboot.io/discovered"] == "true" (created by discovery)
  Json raw;                 // the object as read

  static Result<Machine> FromJson(const Json& object);
  resolve::MachineIdentity Identity() const { return {meta.name, meta.namespace_, meta.generation, reprovision}; }
  // `raw` with status fields we own replaced by `status` (others preserved).
  Json WithStatus(const MachineStatus& status) const;
};

bool operator==(const MachineStatus& a, const MachineStatus& b);

}  // namespace rackboot::model
