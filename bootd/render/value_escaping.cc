#include "bootd/render/value_escaping.h"

#include <cstdio>
#include <optional>

namespace rackboot::bootd::render {
namespace {

bool IsControl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

Error Unsafe(TargetLanguage language, const std::string& why) {
  return Error{std::string("value unsafe for ") + TargetLanguageName(language) + ": " + why};
}

// Common to the line-oriented script languages: one line, printable ASCII.
std::optional<std::string> CheckPrintableLine(std::string_view value, size_t max) {
  if (value.size() > max) return "longer than " + std::to_string(max) + " bytes";
  for (unsigned char c : value) {
    if (c == '\n' || c == '\r') return std::string("contains a line break");
    if (IsControl(c)) return std::string("contains a control character");
    if (c >= 0x80) return std::string("contains a non-ASCII byte");
  }
  return std::nullopt;
}

// A token (whitespace-delimited word) equal to `token`.
bool HasToken(std::string_view value, std::string_view token) {
  size_t pos = 0;
  while ((pos = value.find(token, pos)) != std::string_view::npos) {
    const bool start_ok = pos == 0 || value[pos - 1] == ' ';
    const bool end_ok = pos + token.size() == value.size() || value[pos + token.size()] == ' ';
    if (start_ok && end_ok) return true;
    pos += token.size();
  }
  return false;
}

std::optional<std::string> FirstOf(std::string_view value, std::string_view forbidden) {
  size_t pos = value.find_first_of(forbidden);
  if (pos == std::string_view::npos) return std::nullopt;
  return std::string("contains '") + value[pos] + "'";
}

Result<std::string> EscapeIpxe(std::string_view v) {
  const auto lang = TargetLanguage::kIpxe;
  if (auto bad = CheckPrintableLine(v, kMaxScriptValueBytes)) return Unsafe(lang, *bad);
  // iPXE expands ${setting} anywhere in a line (core/settings.c
  // expand_settings), so '$' is refused outright rather than guessing which
  // forms expand.
  if (v.find('$') != std::string_view::npos) return Unsafe(lang, "contains '$' (settings expansion)");
  // Conditional operators and the command separator of core/exec.c.
  if (v.find("&&") != std::string_view::npos) return Unsafe(lang, "contains '&&'");
  if (v.find("||") != std::string_view::npos) return Unsafe(lang, "contains '||'");
  if (HasToken(v, ";")) return Unsafe(lang, "contains a ';' command separator");
  if (v.find("#!") != std::string_view::npos) return Unsafe(lang, "contains a script magic line '#!'");
  // Quotes and backslashes are syntax in newer iPXE builds.
  if (auto bad = FirstOf(v, "\"'\\")) return Unsafe(lang, *bad);
  return std::string(v);
}

Result<std::string> EscapeGrub(std::string_view v) {
  const auto lang = TargetLanguage::kGrub;
  if (auto bad = CheckPrintableLine(v, kMaxScriptValueBytes)) return Unsafe(lang, *bad);
  // GRUB script is shell-like: $ expansion, ; & | separators, quoting,
  // braces for blocks, # comments, redirection-looking characters.
  if (auto bad = FirstOf(v, "$;&|`\"'\\{}<>#")) return Unsafe(lang, *bad);
  return std::string(v);
}

Result<std::string> EscapePxelinux(std::string_view v) {
  const auto lang = TargetLanguage::kPxelinux;
  // pxelinux.cfg is one keyword per line; APPEND takes the rest of the line.
  if (auto bad = CheckPrintableLine(v, kMaxScriptValueBytes)) return Unsafe(lang, *bad);
  return std::string(v);
}

Result<std::string> EscapeKickstart(std::string_view v) {
  const auto lang = TargetLanguage::kKickstart;
  if (auto bad = CheckPrintableLine(v, kMaxConfigValueBytes)) return Unsafe(lang, *bad);
  // Kickstart lines are shlex-split and %pre/%post bodies are shell.
  if (auto bad = FirstOf(v, "`$;&|<>\\\"'")) return Unsafe(lang, *bad);
  return std::string(v);
}

Result<std::string> EscapeLine(TargetLanguage lang, std::string_view v) {
  if (v.size() > kMaxConfigValueBytes) return Unsafe(lang, "too long");
  for (unsigned char c : v) {
    if (c == '\n' || c == '\r') return Unsafe(lang, "contains a line break");
    if (IsControl(c)) return Unsafe(lang, "contains a control character");
  }
  return std::string(v);
}

// YAML 1.2 §7.3.1 double-quoted scalar: safe for any string once '"', '\\'
// and control characters are escaped.
Result<std::string> EscapeYaml(std::string_view v) {
  if (v.size() > kMaxConfigValueBytes) return Unsafe(TargetLanguage::kYaml, "too long");
  std::string out;
  out.reserve(v.size() + 2);
  out.push_back('"');
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (IsControl(c)) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

const char* TargetLanguageName(TargetLanguage language) {
  switch (language) {
    case TargetLanguage::kIpxe: return "ipxe";
    case TargetLanguage::kGrub: return "grub";
    case TargetLanguage::kPxelinux: return "pxelinux";
    case TargetLanguage::kYaml: return "yaml";
    case TargetLanguage::kKickstart: return "kickstart";
    case TargetLanguage::kPreseed: return "preseed";
    case TargetLanguage::kText: return "text";
  }
  return "unknown";
}

Result<std::string> EscapeValue(TargetLanguage language, std::string_view value) {
  switch (language) {
    case TargetLanguage::kIpxe: return EscapeIpxe(value);
    case TargetLanguage::kGrub: return EscapeGrub(value);
    case TargetLanguage::kPxelinux: return EscapePxelinux(value);
    case TargetLanguage::kYaml: return EscapeYaml(value);
    case TargetLanguage::kKickstart: return EscapeKickstart(value);
    case TargetLanguage::kPreseed:
    case TargetLanguage::kText: return EscapeLine(language, value);
  }
  return Error{"unknown target language"};
}

}  // namespace rackboot::bootd::render
