#pragma once
// core/v1 Event: human-visible transitions ("kubectl describe machines.rackboot.io").

#include <string>

#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"

namespace rackboot::model {

struct EventRecord {
  // involvedObject
  std::string api_version;
  std::string kind;
  ObjectMeta object;
  std::string type = "Normal";  // Normal | Warning
  std::string reason;           // CamelCase
  std::string message;
  std::string component = "rackboot-controller";
  std::string instance;  // reportingInstance (pod name / identity)

  // A core/v1 Event named <object>.<unique suffix> in the object's namespace.
  Json ToJson(const std::string& name_suffix, int64_t now_micros) const;
};

}  // namespace rackboot::model
