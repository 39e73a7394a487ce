#include "controller/k8s/client_config.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/base64.h"
#include "common/yaml_config.h"

namespace rackboot::k8s {
namespace {

std::string ReadFile(const std::string& path, const std::string& origin, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(origin, 0, 0, field, "cannot read file " + path);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Base64 decode (RFC 4648 §4) for the *-data fields of a kubeconfig.
std::string DecodeBase64(const std::string& in, const std::string& origin, const std::string& field) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    int v = Base64Digit(c);
    if (v < 0) throw ConfigError(origin, 0, 0, field, "not valid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// Finds the entry named `name` in a kubeconfig list like `clusters:`.
YamlMap NamedEntry(const YamlMap& root, const std::string& list, const std::string& name, const std::string& inner) {
  for (const YamlMap& entry : root.MapList(list)) {
    if (entry.String("name") == name) return entry.Map(inner);
  }
  root.Fail(list, "no entry named '" + name + "'");
}

// Either inline base64 `<key>-data` or a file path `<key>`.
std::string DataOrFile(const YamlMap& m, const std::string& key, const std::filesystem::path& base) {
  if (auto data = m.OptionalString(key + "-data")) return DecodeBase64(*data, m.file(), m.FieldPath(key + "-data"));
  if (auto file = m.OptionalString(key)) {
    std::filesystem::path p(*file);
    if (p.is_relative()) p = base / p;
    return ReadFile(p.string(), m.file(), m.FieldPath(key));
  }
  return "";
}

}  // namespace

ClientConfig LoadKubeconfig(const std::string& path) {
  // Not strict about unknown fields: kubeconfigs carry many we do not use.
  YamlMap root(LoadYamlFile(path), path, "");
  const std::filesystem::path base = std::filesystem::absolute(path).parent_path();
  const std::string context_name = root.String("current-context");
  YamlMap context = NamedEntry(root, "contexts", context_name, "context");
  YamlMap cluster = NamedEntry(root, "clusters", context.String("cluster"), "cluster");
  ClientConfig c;
  c.server = cluster.String("server");
  while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
  c.ca_pem = DataOrFile(cluster, "certificate-authority", base);
  c.insecure_skip_tls_verify = cluster.Bool("insecure-skip-tls-verify", false);
  if (context.Has("user")) {
    YamlMap user = NamedEntry(root, "users", context.String("user"), "user");
    c.client_cert_pem = DataOrFile(user, "client-certificate", base);
    c.client_key_pem = DataOrFile(user, "client-key", base);
    c.token = user.String("token", "");
    if (auto tf = user.OptionalString("tokenFile")) {
      std::filesystem::path p(*tf);
      c.token_file = (p.is_relative() ? base / p : p).string();
    }
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
      user.Fail("client-key", "client-certificate and client-key must be given together");
    }
  }
  return c;
}

ClientConfig InClusterConfig(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    throw ConfigError("(environment)", 0, 0, "KUBERNETES_SERVICE_HOST",
                      "not running in a cluster: KUBERNETES_SERVICE_HOST/PORT unset; set `kubeconfig` in the config");
  }
  ClientConfig c;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 service address
  c.server = "https://" + h + ":" + port;
  c.ca_pem = ReadFile(sa_dir + "/ca.crt", sa_dir, "ca.crt");
  c.token_file = sa_dir + "/token";
  ReadFile(c.token_file, sa_dir, "token");  // fail at start-up, not on first request
  return c;
}

struct TokenFileSource::State {
  std::mutex mu;
  std::string token;
  std::chrono::steady_clock::time_point read_at{};
  bool have = false;
};

TokenFileSource::TokenFileSource(std::string path, int refresh_seconds)
    : path_(std::move(path)), refresh_seconds_(refresh_seconds), state_(std::make_shared<State>()) {}

std::string TokenFileSource::Token() {
  std::lock_guard lock(state_->mu);
  const auto now = std::chrono::steady_clock::now();
  if (state_->have && now - state_->read_at < std::chrono::seconds(refresh_seconds_)) return state_->token;
  std::ifstream in(path_);
  if (in) {
    std::ostringstream os;
    os << in.rdbuf();
    std::string t = os.str();
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (!t.empty()) {
      state_->token = t;
      state_->have = true;
    }
  }
  state_->read_at = now;
  return state_->token;
}

}  // namespace rackboot::k8s
