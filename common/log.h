#pragma once
// One logger for the whole process: leveled, structured key=value lines on
// stderr, e.g.
//   ts=2026-11-23T12:00:00.123Z level=info component=dhcp msg="offer sent" mac=52:54:00:12:34:56
// Never log secrets (tokens, passwords, private keys).

#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace rackboot::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug|info|warn|error"; returns false for anything else.
bool ParseLevel(std::string_view text, Level* out);
void SetLevel(Level level);
Level GetLevel();
bool Enabled(Level level);

// A field is a key and an already-formatted value; values with spaces,
// quotes or '=' are quoted and escaped on output.
struct Field {
  template <typename V>
  Field(std::string_view k, const V& v) : key(k) {
    std::ostringstream os;
    os << v;
    value = os.str();
  }
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  std::string key;
  std::string value;
};

// Formats one line without writing it (used by tests).
std::string Format(Level level, std::string_view component, std::string_view msg, std::initializer_list<Field> fields);

void Write(Level level, std::string_view component, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, c, m, f);
}
inline void Warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, c, m, f);
}

}  // namespace rackboot::log
