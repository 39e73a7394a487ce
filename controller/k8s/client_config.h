#pragma once
// How to reach and authenticate to the Kubernetes API server: from a
// kubeconfig file (current-context) or from inside a Pod (service account).
// Start-up code: errors are ConfigError (common/yaml_config.h).

#include <memory>
#include <string>

namespace rackboot::k8s {

struct ClientConfig {
  std::string server;           // "https://127.0.0.1:6443"
  std::string ca_pem;           // trusted CA bundle (PEM); empty: system store
  std::string client_cert_pem;  // client certificate (PEM), with client_key_pem
  std::string client_key_pem;
  std::string token;       // static bearer token
  std::string token_file;  // bearer token re-read on rotation (service account)
  bool insecure_skip_tls_verify = false;
};

// Parses a kubeconfig (current-context -> cluster + user). Relative file
// paths resolve against the kubeconfig's directory, as kubectl does.
ClientConfig LoadKubeconfig(const std::string& path);

// In-cluster: KUBERNETES_SERVICE_HOST/PORT, the service-account CA and token
// under `sa_dir` (default /var/run/secrets/kubernetes.io/serviceaccount).
ClientConfig InClusterConfig(const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Reads a bearer token file at most every `refresh_seconds` (the kubelet
// rotates projected service-account tokens; client-go re-reads each minute).
class TokenFileSource {
 public:
  explicit TokenFileSource(std::string path, int refresh_seconds = 60);
  std::string Token();  // thread-safe; keeps the last good token on read errors

 private:
  struct State;
  std::string path_;
  int refresh_seconds_;
  std::shared_ptr<State> state_;
};

}  // namespace rackboot::k8s
