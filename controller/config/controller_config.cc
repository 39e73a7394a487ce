#include "controller/config/controller_config.h"

#include "common/yaml_config.h"

namespace rackboot::controller {

ControllerConfig LoadControllerConfig(const std::string& path) {
  YamlMap root(LoadYamlFile(path), path, "");
  ControllerConfig c;
  c.source_file = path;
  c.log_level = root.Enum("logLevel", {"debug", "info", "warn", "error"}, "info");
  c.kubeconfig = root.String("kubeconfig", "");
  c.namespace_ = root.String("namespace", "");
  if (auto grpc = root.OptionalMap("grpc")) {
    c.grpc_listen = grpc->String("listen", c.grpc_listen);
    if (auto tls = grpc->OptionalMap("tls")) {
      c.tls_ca_file = tls->String("caFile");
      c.tls_cert_file = tls->String("certFile");
      c.tls_key_file = tls->String("keyFile");
      tls->RejectUnknownFields();
    }
    grpc->RejectUnknownFields();
  }
  if (auto metrics = root.OptionalMap("metrics")) {
    c.metrics_listen = metrics->String("listen");
    metrics->RejectUnknownFields();
  }
  if (auto le = root.OptionalMap("leaderElection")) {
    c.leader_election = le->Bool("enabled", true);
    c.lease_name = le->String("leaseName", c.lease_name);
    c.lease_namespace = le->String("leaseNamespace", c.lease_namespace);
    le->RejectUnknownFields();
  }
  root.RejectUnknownFields();
  return c;
}

}  // namespace rackboot::controller
