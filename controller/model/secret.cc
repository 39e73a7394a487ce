#include "controller/model/secret.h"

#include "common/base64.h"

namespace rackboot::model {

std::map<std::string, std::string> SecretValuesFromJson(const Json& secret) {
  std::map<std::string, std::string> out;
  if (!secret.is_object()) return out;
  if (const Json* data = Field(secret, "data"); data && data->is_object()) {
    for (const auto& [k, v] : data->as_object()) {
      std::string value;
      // Not base64 (the API server never stores such a value): left out, see header.
      if (v.is_string() && DecodeBase64(v.as_string(), &value)) out[k] = std::move(value);
    }
  }
  if (const Json* text = Field(secret, "stringData"); text && text->is_object()) {
    for (const auto& [k, v] : text->as_object()) {
      if (v.is_string()) out[k] = v.as_string();
    }
  }
  return out;
}

}  // namespace rackboot::model
