#include "bootd/standalone/secret_manifest.h"

#include "resolve/secret_data.h"

namespace rackboot::bootd::standalone {
namespace {

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Secret keys: [-._a-zA-Z0-9]+ (Kubernetes' IsConfigMapKey).
bool IsSecretKey(const std::string& k) {
  if (k.empty() || k.size() > 253 || k == "." || k == "..") return false;
  return k.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == std::string::npos;
}

}  // namespace

bool DecodeBase64(const std::string& text, std::string* out) {
  out->clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    int d[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        d[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after '='
      d[j] = Base64Digit(c);
      if (d[j] < 0) return false;
    }
    const uint32_t n = (d[0] << 18) | (d[1] << 12) | (d[2] << 6) | d[3];
    out->push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xff));
  }
  return true;
}

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
