#include "controller/model/secret.h"

#include <cpprest/asyncrt_utils.h>

#include <exception>

namespace rackboot::model {

std::map<std::string, std::string> SecretValuesFromJson(const Json& secret) {
  std::map<std::string, std::string> out;
  if (!secret.is_object()) return out;
  if (const Json* data = Field(secret, "data"); data && data->is_object()) {
    for (const auto& [k, v] : data->as_object()) {
      if (!v.is_string()) continue;
      try {
        const std::vector<unsigned char> bytes = utility::conversions::from_base64(v.as_string());
        out[k] = std::string(bytes.begin(), bytes.end());
      } catch (const std::exception&) {
        // Not base64 (the API server never stores such a value); see header.
      }
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
