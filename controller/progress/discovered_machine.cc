#include "controller/progress/discovered_machine.h"

#include "common/net_address.h"

namespace rackboot::controller::progress {

using model::Json;

std::string DiscoveredMachineName(const std::string& mac) {
  auto parsed = MacAddress::Parse(mac);
  if (!parsed) return "";
  std::string hex;
  for (char c : parsed->ToString()) {
    if (c != ':') hex.push_back(c);
  }
  return "discovered-" + hex;
}

Json DiscoveredMachineJson(const std::string& ns, const std::string& rack, const std::string& mac) {
  auto parsed = MacAddress::Parse(mac);
  Json m = Json::object();
  m["apiVersion"] = Json::string("rackboot.io/v1alpha1");
  m["kind"] = Json::string("Machine");
  Json md = Json::object();
  md["name"] = Json::string(DiscoveredMachineName(mac));
  md["namespace"] = Json::string(ns);
  Json labels = Json::object();
  labels[kLabelDiscovered] = Json::string("true");
  labels[kLabelRack] = Json::string(rack);
  md["labels"] = labels;
  m["metadata"] = md;
  Json spec = Json::object();
  spec["rack"] = Json::string(rack);
  Json nic = Json::object();
  nic["mac"] = Json::string(parsed ? parsed->ToString() : mac);
  Json nics = Json::array();
  nics[0] = nic;
  spec["interfaces"] = nics;
  m["spec"] = spec;
  return m;
}

}  // namespace rackboot::controller::progress
