#include "controller/model/json_fields.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace rackboot::model {

const Json* Field(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto& obj = object.as_object();
  auto it = obj.find(key);
  if (it == obj.end() || it->second.is_null()) return nullptr;
  return &it->second;
}

std::string StringAt(const Json& object, const char* key, const std::string& fallback) {
  const Json* f = Field(object, key);
  return f && f->is_string() ? f->as_string() : fallback;
}

int64_t IntAt(const Json& object, const char* key, int64_t fallback) {
  const Json* f = Field(object, key);
  if (!f || !f->is_number() || !f->as_number().is_int64()) return fallback;
  return f->as_number().to_int64();
}

bool BoolAt(const Json& object, const char* key, bool fallback) {
  const Json* f = Field(object, key);
  return f && f->is_boolean() ? f->as_bool() : fallback;
}

std::vector<std::string> StringListAt(const Json& object, const char* key) {
  std::vector<std::string> out;
  const Json* f = Field(object, key);
  if (!f || !f->is_array()) return out;
  for (const auto& v : f->as_array()) {
    if (v.is_string()) out.push_back(v.as_string());
  }
  return out;
}

std::optional<resolve::SecretKeyRef> SecretKeyRefAt(const Json& object, const char* key) {
  const Json* ref = Field(object, key);
  if (ref == nullptr || !ref->is_object()) return std::nullopt;
  resolve::SecretKeyRef out{StringAt(*ref, "name"), StringAt(*ref, "key")};
  if (out.name.empty()) return std::nullopt;
  return out;
}

std::string FormatTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatMicroTime(int64_t unix_micros) {
  std::time_t t = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(unix_micros % 1000000));
  return buf;
}

int64_t ParseTimeMicros(const std::string& text) {
  std::tm tm{};
  int year, mon, day, hour, min, sec;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &mon, &day, &hour, &min, &sec) != 6) return 0;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  int64_t micros = static_cast<int64_t>(timegm(&tm)) * 1000000;
  if (text.size() > 19 && text[19] == '.') {
    int64_t frac = 0;
    int digits = 0;
    for (size_t i = 20; i < text.size() && isdigit(static_cast<unsigned char>(text[i])); ++i) {
      if (digits < 6) {
        frac = frac * 10 + (text[i] - '0');
        ++digits;
      }
    }
    while (digits++ < 6) frac *= 10;
    micros += frac;
  }
  return micros;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace rackboot::model
