#pragma once
// BootProfile (rackboot.io/v1alpha1): what a Machine boots. The controller
// only needs to know that it exists and its generation to resolve a Machine;
// the spec is carried raw to the host assignment (see crds/bootprofile.yaml).

#include <string>

#include "common/result.h"
#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"

namespace rackboot::model {

struct BootProfile {
  ObjectMeta meta;
  std::string kernel_url;  // spec.kernel.url (or .path)
  std::string cmdline;     // spec.cmdline
  Json spec;

  static Result<BootProfile> FromJson(const Json& object);
};

}  // namespace rackboot::model
