#pragma once
// BootProfile (rackboot.io/v1alpha1): what a Machine boots. Its spec is read
// into the resolver's typed model (resolve/boot_profile_spec.h), the same
// struct standalone bootd fills from YAML. The API server has validated the
// object against crds/bootprofile.yaml, so reading only guards against
// crashes: a missing or mistyped field reads as its default.

#include <string>
#include <vector>

#include "common/result.h"
#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"
#include "resolve/boot_profile_spec.h"

namespace rackboot::model {

// status (crds/bootprofile.yaml), written by the controller only
// (controller/reconcile/boot_profile_controller.h).
struct BootProfileStatus {
  int64_t observed_generation = 0;
  int64_t machines = 0;                    // Machines referencing the profile
  std::vector<std::string> machine_names;  // the first few, sorted (bounded)
  std::vector<Condition> conditions;
  bool operator==(const BootProfileStatus&) const = default;
};

struct BootProfile {
  ObjectMeta meta;
  resolve::BootProfileSpec spec;
  BootProfileStatus status;
  Json raw;  // the object as read (status writes replace only our fields)

  static Result<BootProfile> FromJson(const Json& object);
  Json WithStatus(const BootProfileStatus& status) const;
};

}  // namespace rackboot::model
