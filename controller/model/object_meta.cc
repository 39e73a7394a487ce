#include "controller/model/object_meta.h"

#include <algorithm>

namespace rackboot::model {

ObjectMeta ObjectMeta::FromJson(const Json& object) {
  ObjectMeta m;
  const Json* md = Field(object, "metadata");
  if (!md) return m;
  m.name = StringAt(*md, "name");
  m.namespace_ = StringAt(*md, "namespace");
  m.uid = StringAt(*md, "uid");
  m.resource_version = StringAt(*md, "resourceVersion");
  m.generation = IntAt(*md, "generation");
  m.creation_timestamp = StringAt(*md, "creationTimestamp");
  m.deletion_timestamp = StringAt(*md, "deletionTimestamp");
  m.finalizers = StringListAt(*md, "finalizers");
  return m;
}

bool ObjectMeta::HasFinalizer(const std::string& f) const {
  return std::find(finalizers.begin(), finalizers.end(), f) != finalizers.end();
}

Condition Condition::FromJson(const Json& c) {
  Condition out;
  out.type = StringAt(c, "type");
  out.status = StringAt(c, "status");
  out.reason = StringAt(c, "reason");
  out.message = StringAt(c, "message");
  out.observed_generation = IntAt(c, "observedGeneration");
  out.last_transition_time = StringAt(c, "lastTransitionTime");
  return out;
}

Json Condition::ToJson() const {
  Json c = Json::object();
  c["type"] = Json::string(type);
  c["status"] = Json::string(status);
  c["reason"] = Json::string(reason);
  c["message"] = Json::string(message);
  c["observedGeneration"] = Json::number(observed_generation);
  c["lastTransitionTime"] = Json::string(last_transition_time);
  return c;
}

std::vector<Condition> ConditionsFromJson(const Json& status) {
  std::vector<Condition> out;
  const Json* list = Field(status, "conditions");
  if (!list || !list->is_array()) return out;
  for (const auto& c : list->as_array()) {
    if (c.is_object()) out.push_back(Condition::FromJson(c));
  }
  return out;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, const std::string& type) {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

bool SetCondition(std::vector<Condition>* conditions, Condition c, const std::string& now) {
  for (auto& existing : *conditions) {
    if (existing.type != c.type) continue;
    c.last_transition_time =
        existing.status == c.status && !existing.last_transition_time.empty() ? existing.last_transition_time : now;
    if (existing == c) return false;
    existing = std::move(c);
    return true;
  }
  c.last_transition_time = now;
  conditions->push_back(std::move(c));
  return true;
}

}  // namespace rackboot::model
