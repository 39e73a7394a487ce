#pragma once
// BootProfile (rackboot.io/v1alpha1): what a Machine boots. Its spec is read
// into the resolver's typed model (resolve/boot_profile_spec.h), the same
// struct standalone bootd fills from YAML. The API server has validated the
// object against crds/bootprofile.yaml, so reading only guards against
// crashes: a missing or mistyped field reads as its default.

#include "common/result.h"
#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"
#include "resolve/boot_profile_spec.h"

namespace rackboot::model {

struct BootProfile {
  ObjectMeta meta;
  resolve::BootProfileSpec spec;

  static Result<BootProfile> FromJson(const Json& object);
};

}  // namespace rackboot::model
