#pragma once
// Small HostAssignment builders shared by the push unit tests.

#include <string>

#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::controller::push::testing {

inline v1alpha1::HostAssignment Machine(const std::string& name, const std::string& mac, const std::string& ip = "") {
  v1alpha1::HostAssignment a;
  a.set_machine_name(name);
  a.set_rack("rack-a");
  auto* i = a.add_interfaces();
  i->set_mac(mac);
  i->set_ipv4(ip);
  i->set_primary(true);
  a.set_allow_pxe(true);
  return a;
}

}  // namespace rackboot::controller::push::testing
