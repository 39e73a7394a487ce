#include "controller/model/boot_profile.h"

namespace rackboot::model {

Result<BootProfile> BootProfile::FromJson(const Json& object) {
  if (!object.is_object()) return Error{"BootProfile is not a JSON object"};
  BootProfile p;
  p.meta = ObjectMeta::FromJson(object);
  if (p.meta.name.empty()) return Error{"BootProfile without metadata.name"};
  if (const Json* spec = Field(object, "spec")) {
    p.spec = *spec;
    if (const Json* k = Field(*spec, "kernel")) p.kernel_url = StringAt(*k, "url", StringAt(*k, "path"));
    p.cmdline = StringAt(*spec, "cmdline");
  } else {
    p.spec = Json::object();
  }
  return p;
}

}  // namespace rackboot::model
