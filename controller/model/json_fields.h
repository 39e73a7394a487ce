#pragma once
// Small readers for API objects in web::json form. Missing or mistyped
// optional fields read as the fallback; the API server has already validated
// objects against the CRD schema, so we only guard against crashes.

#include <cpprest/json.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "resolve/secret_data.h"

namespace rackboot::model {

using Json = web::json::value;

const Json* Field(const Json& object, const char* key);  // nullptr if absent
std::string StringAt(const Json& object, const char* key, const std::string& fallback = "");
int64_t IntAt(const Json& object, const char* key, int64_t fallback = 0);
bool BoolAt(const Json& object, const char* key, bool fallback);
std::vector<std::string> StringListAt(const Json& object, const char* key);
// A {name, key} Secret reference; nullopt when absent or without a name.
std::optional<resolve::SecretKeyRef> SecretKeyRefAt(const Json& object, const char* key);

// RFC 3339 timestamps as the API server writes them.
std::string FormatTime(int64_t unix_seconds);      // metav1.Time "2026-01-02T03:04:05Z"
std::string FormatMicroTime(int64_t unix_micros);  // metav1.MicroTime "...05.000123Z"
int64_t ParseTimeMicros(const std::string& text);  // 0 if unparsable
int64_t NowMicros();

}  // namespace rackboot::model
