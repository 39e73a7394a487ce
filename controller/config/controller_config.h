#pragma once
// rackboot-controller's configuration: how to reach the Kubernetes API, where
// to serve bootd streams, leader election.

#include <string>

namespace rackboot::controller {

struct ControllerConfig {
  std::string source_file;
  std::string log_level = "info";
  std::string kubeconfig;  // empty: in-cluster service account
  std::string namespace_;  // namespace watched; empty: all namespaces
  std::string grpc_listen = "0.0.0.0:9443";
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string metrics_listen;
  bool leader_election = true;
  std::string lease_name = "rackboot-controller";
  std::string lease_namespace = "rackboot-system";
};

// Throws ConfigError naming file, line and field.
ControllerConfig LoadControllerConfig(const std::string& path);

}  // namespace rackboot::controller
