#include "bootd/standalone/secret_manifest.h"

#include "common/base64.h"
#include "resolve/secret_data.h"

namespace rackboot::bootd::standalone {
namespace {

// Secret keys: [-._a-zA-Z0-9]+ (Kubernetes' IsConfigMapKey).
bool IsSecretKey(const std::string& k) {
  if (k.empty() || k.size() > 253 || k == "." || k == "..") return false;
  return k.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == std::string::npos;
}

}  // namespace

SecretManifest ParseSecret(const YamlMap& object) {
  if (object.String("apiVersion") != "v1") object.Fail("apiVersion", "a Secret must be apiVersion v1");
  SecretManifest s;
  s.file = object.file();
  s.line = object.node().Mark().is_null() ? 0 : object.node().Mark().line + 1;
  YamlMap meta = object.Map("metadata");
  s.name = meta.String("name");
  s.namespace_ = meta.String("namespace", "");
  for (const auto& [k, v] : meta.StringMap("labels")) {
    if (k == resolve::kSecretLabel) s.labelled = v == "true";
  }
  meta.StringMap("annotations");  // accepted, as the API server keeps them
  object.String("type", "Opaque");
  object.Bool("immutable", false);
  // Values are never quoted in an error: a typo must not print a password.
  for (const auto& [k, v] : object.StringMap("data")) {
    if (!IsSecretKey(k)) object.Fail("data", "key '" + k + "' must be [-._a-zA-Z0-9]+");
    std::string decoded;
    if (!DecodeBase64(v, &decoded)) object.Fail("data", "the value of key '" + k + "' is not base64");
    s.data[k] = std::move(decoded);
  }
  for (const auto& [k, v] : object.StringMap("stringData")) {
    if (!IsSecretKey(k)) object.Fail("stringData", "key '" + k + "' must be [-._a-zA-Z0-9]+");
    s.data[k] = v;
  }
  object.RejectUnknownFields();
  return s;
}

}  // namespace rackboot::bootd::standalone
