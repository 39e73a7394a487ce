#pragma once
// The checks bootd's configuration needs the host for: does the DHCP
// interface exist and carry serverAddress, are the pools reachable, are the
// roots, files and TLS pairs there, is every boot file DHCP offers served by
// something. Start-up and --check-config run the same function, so
// --check-config catches everything start-up would (binding the ports aside:
// a running bootd holds them).
//
// Values the host determines are derived here when the YAML leaves them
// out: dhcp.serverAddress (the interface's address), http.publicUrl
// (http://<serverAddress or listen address>:<port>), and the default boot
// files of a service that is off are not offered.

#include <string>
#include <vector>

#include "bootd/config/bootd_config.h"
#include "bootd/config/host_facts.h"

namespace rackboot::bootd {

struct ConfigFinding {
  enum class Severity {
    kError,    // bootd does not start
    kWarning,  // bootd starts, but some clients will not boot
    kDerived,  // a value bootd filled in
  };
  Severity severity;
  std::string field;  // dotted path, e.g. "dhcp.serverAddress"
  std::string text;
};

// Fills in derived values and returns every finding, errors first.
std::vector<ConfigFinding> CheckConfigOnHost(BootdConfig& config, const HostFacts& host);

bool HasErrors(const std::vector<ConfigFinding>& findings);

// "bootd.yaml:14:18: field 'dhcp.serverAddress': 10.0.0.9 is not an address of eth0 ..."
std::string FormatFinding(const BootdConfig& config, const ConfigFinding& finding);

}  // namespace rackboot::bootd
