#pragma once
// metav1.ObjectMeta and metav1.Condition, the parts the controller uses.

#include <cstdint>
#include <string>
#include <vector>

#include "controller/model/json_fields.h"

namespace rackboot::model {

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::string creation_timestamp;
  std::string deletion_timestamp;  // non-empty: being deleted
  std::vector<std::string> finalizers;

  static ObjectMeta FromJson(const Json& object);  // reads object["metadata"]
  // "ns/name" or "name": the cache and workqueue key.
  std::string Key() const { return namespace_.empty() ? name : namespace_ + "/" + name; }
  bool HasFinalizer(const std::string& f) const;
};

// metav1.Condition. lastTransitionTime changes only when status changes.
struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;  // CamelCase
  std::string message;
  int64_t observed_generation = 0;
  std::string last_transition_time;

  static Condition FromJson(const Json& c);
  Json ToJson() const;
  bool operator==(const Condition&) const = default;
};

std::vector<Condition> ConditionsFromJson(const Json& status);
const Condition* FindCondition(const std::vector<Condition>& conditions, const std::string& type);
// Sets `c` into the list, keeping lastTransitionTime when status is unchanged.
// Returns true if anything changed.
bool SetCondition(std::vector<Condition>* conditions, Condition c, const std::string& now);

}  // namespace rackboot::model
