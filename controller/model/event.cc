#include "controller/model/event.h"

namespace rackboot::model {

Json EventRecord::ToJson(const std::string& name_suffix, int64_t now_micros) const {
  Json e = Json::object();
  e["apiVersion"] = Json::string("v1");
  e["kind"] = Json::string("Event");
  Json md = Json::object();
  md["name"] = Json::string(object.name + "." + name_suffix);
  md["namespace"] = Json::string(object.namespace_.empty() ? "default" : object.namespace_);
  e["metadata"] = md;
  Json io = Json::object();
  io["apiVersion"] = Json::string(api_version);
  io["kind"] = Json::string(kind);
  io["name"] = Json::string(object.name);
  if (!object.namespace_.empty()) io["namespace"] = Json::string(object.namespace_);
  if (!object.uid.empty()) io["uid"] = Json::string(object.uid);
  if (!object.resource_version.empty()) io["resourceVersion"] = Json::string(object.resource_version);
  e["involvedObject"] = io;
  e["type"] = Json::string(type);
  e["reason"] = Json::string(reason);
  e["message"] = Json::string(message);
  Json source = Json::object();
  source["component"] = Json::string(component);
  e["source"] = source;
  e["reportingComponent"] = Json::string(component);
  e["reportingInstance"] = Json::string(instance.empty() ? component : instance);
  e["firstTimestamp"] = Json::string(FormatTime(now_micros / 1000000));
  e["lastTimestamp"] = Json::string(FormatTime(now_micros / 1000000));
  e["count"] = Json::number(1);
  return e;
}

}  // namespace rackboot::model
