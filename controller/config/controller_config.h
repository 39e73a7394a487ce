#pragma once
// rackboot-controller's configuration: how to reach the Kubernetes API, where
// to serve bootd streams, leader election.

#include <string>
#include <vector>

#include "common/net_address.h"

namespace rackboot::controller {

// Rack network configuration lives here, in the controller's config (one
// list, rendered by Helm from values), not in an API object: pools are
// operator infrastructure that changes rarely, and keeping them next to the
// allocator means one source of truth for "which IPs may I hand out".
// A Machine's spec.rack must name one of these to get a pool address.
//   racks:
//     - name: rack-a
//       subnet: 10.0.0.0/24
//       pool: {start: 10.0.0.100, end: 10.0.0.199}
//       router: 10.0.0.1
//       dns: [10.0.0.2]
//     - name: rack-b     # no pool: ProxyDHCP, the site's DHCP server gives
//                        # the addresses (Assigned reason SiteDhcp)
struct RackNetwork {
  std::string name;
  // False for a rack whose bootd runs ProxyDHCP: its machines get their
  // address from the site's DHCP server, so the controller allocates none
  // and publishes them without one ({{machine.ip}} is then the address the
  // request came from, bootd/render/machine_scripts.cc).
  bool has_pool = true;
  Ipv4Prefix subnet;
  Ipv4Address pool_start;
  Ipv4Address pool_end;  // inclusive
  Ipv4Address router;    // zero: none
  std::vector<Ipv4Address> dns;
};

struct ControllerConfig {
  std::string source_file;
  std::string log_level = "info";
  std::string kubeconfig;  // empty: in-cluster service account
  std::string namespace_;  // namespace watched; empty: all namespaces
  // Namespaces whose Secrets labelled rackboot.io/secret=true the controller
  // watches (one namespaced informer each; RBAC: a Role per namespace, never
  // cluster-wide). A Machine or BootProfile elsewhere cannot use Secret
  // references (condition ProfileResolved=False names the field).
  // Default: `namespace` when set, else none.
  std::vector<std::string> secret_namespaces;
  std::string grpc_listen = "0.0.0.0:9443";
  // Optional second listener on a unix socket (same mTLS): a bootd in
  // another network namespace on the same host reaches it through the
  // filesystem (the e2e lab; a node-local bootd).
  std::string grpc_unix_socket;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string metrics_listen;
  bool leader_election = true;
  std::string lease_name = "rackboot-controller";
  std::string lease_namespace = "rackboot-system";
  // client-go defaults; shorter values only for tests.
  int lease_duration_seconds = 15;
  int renew_deadline_seconds = 10;
  int retry_period_seconds = 2;
  std::vector<RackNetwork> racks;
  // Boot progress (controller/progress/): restarts of the boot path without
  // `booted` before the BootLoop condition turns True.
  int boot_loop_threshold = 3;
  // Opt-in: a Machine (phase Discovered) for DHCP clients bootd does not know.
  bool discovery_create_machines = false;
  std::string discovery_namespace;  // empty: `namespace`, else "default"
  int discovery_max_machines = 256;
};

// Throws ConfigError naming file, line and field.
ControllerConfig LoadControllerConfig(const std::string& path);

}  // namespace rackboot::controller
