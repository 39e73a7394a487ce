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

namespace rackboot::model {

struct MachineInterface {
  std::string mac;   // as written by the user; compare through MacAddress
  std::string ipv4;  // optional static address
  bool primary = false;
};

struct MachineSpec {
  std::string rack;
  std::vector<MachineInterface> interfaces;
  std::string uuid;
  std::string hostname;
  std::string architecture;
  std::string firmware;
  std::string boot_profile;  // bootProfileRef.name
  bool allow_pxe = true;     // netboot.allowPXE
  bool boot_once = false;    // netboot.bootOnce
  std::map<std::string, std::string> parameters;
  std::map<std::string, std::string> boot_file_overrides;

  // The interface that gets the address: the one marked primary, else the first.
  const MachineInterface* Primary() const;
};

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
  // `raw` with status fields we own replaced by `status` (others preserved).
  Json WithStatus(const MachineStatus& status) const;
};

bool operator==(const MachineStatus& a, const MachineStatus& b);

}  // namespace rackboot::model
