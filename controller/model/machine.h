#pragma once
// Machine (rackboot.io/v1alpha1): one bare-metal host. Field names follow
// crds/machine.yaml. The raw object is kept so status writes preserve fields
// other writers own (boot progress from bootd).

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"
#include "resolve/machine_spec.h"

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
};

struct Machine {
  ObjectMeta meta;
  MachineSpec spec;
  MachineStatus status;
  Json raw;  // the object as read

  static Result<Machine> FromJson(const Json& object);
  resolve::MachineIdentity Identity() const { return {meta.name, meta.namespace_, meta.generation}; }
  // `raw` with status fields we own replaced by `status` (others preserved).
  Json WithStatus(const MachineStatus& status) const;
};

bool operator==(const MachineStatus& a, const MachineStatus& b);

}  // namespace rackboot::model
