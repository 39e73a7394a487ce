#include "controller/model/lease.h"

namespace rackboot::model {

Result<Lease> Lease::FromJson(const Json& object) {
  if (!object.is_object()) return Error{"Lease is not a JSON object"};
  Lease l;
  l.meta = ObjectMeta::FromJson(object);
  if (const Json* md = Field(object, "metadata")) {
    if (const Json* labels = Field(*md, "labels"); labels && labels->is_object()) l.labels = *labels;
    if (const Json* ann = Field(*md, "annotations"); ann && ann->is_object()) l.annotations = *ann;
  }
  if (const Json* spec = Field(object, "spec")) {
    l.holder_identity = StringAt(*spec, "holderIdentity");
    l.lease_duration_seconds = IntAt(*spec, "leaseDurationSeconds");
    l.acquire_time = StringAt(*spec, "acquireTime");
    l.renew_time = StringAt(*spec, "renewTime");
    l.lease_transitions = IntAt(*spec, "leaseTransitions");
  }
  return l;
}

Json Lease::ToJson() const {
  Json o = Json::object();
  o["apiVersion"] = Json::string("coordination.k8s.io/v1");
  o["kind"] = Json::string("Lease");
  Json md = Json::object();
  md["name"] = Json::string(meta.name);
  md["namespace"] = Json::string(meta.namespace_);
  if (!meta.resource_version.empty()) md["resourceVersion"] = Json::string(meta.resource_version);
  if (labels.is_object()) md["labels"] = labels;
  if (annotations.is_object()) md["annotations"] = annotations;
  o["metadata"] = md;
  Json spec = Json::object();
  spec["holderIdentity"] = Json::string(holder_identity);
  spec["leaseDurationSeconds"] = Json::number(lease_duration_seconds);
  if (!acquire_time.empty()) spec["acquireTime"] = Json::string(acquire_time);
  if (!renew_time.empty()) spec["renewTime"] = Json::string(renew_time);
  spec["leaseTransitions"] = Json::number(lease_transitions);
  o["spec"] = spec;
  return o;
}

}  // namespace rackboot::model
