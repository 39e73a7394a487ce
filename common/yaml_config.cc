#include "common/yaml_config.h"

#include <charconv>
#include <sstream>

#include "common/yaml_field_observer.h"

namespace rackboot {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out.append("?");
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Describe(const std::string& file, int line, int column, const std::string& field,
                     const std::string& problem) {
  std::ostringstream os;
  os << file;
  if (line > 0) os << ':' << line << ':' << column;
  os << ": ";
  if (!field.empty()) os << "field '" << field << "': ";
  os << problem;
  return os.str();
}

YamlFieldObserver g_field_observer = nullptr;

int LineOf(const YAML::Node& n) {
  return n.Mark().is_null() ? 0 : n.Mark().line + 1;
}
int ColumnOf(const YAML::Node& n) {
  return n.Mark().is_null() ? 0 : n.Mark().column + 1;
}

}  // namespace

void SetYamlFieldObserver(YamlFieldObserver observer) {
  g_field_observer = observer;
}

ConfigError::ConfigError(std::string file, int line, int column, std::string field, std::string problem)
    : std::runtime_error(Describe(file, line, column, field, problem)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

YAML::Node LoadYamlFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path, 0, 0, "", "cannot open file");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1, "",
                      "YAML syntax error: " + e.msg);
  }
}

std::vector<YAML::Node> LoadYamlDocumentsFromString(const std::string& text, const std::string& name) {
  try {
    return YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1, "",
                      "YAML syntax error: " + e.msg);
  }
}

std::vector<YAML::Node> LoadYamlDocuments(const std::string& path) {
  try {
    return YAML::LoadAllFromFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path, 0, 0, "", "cannot open file");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1, "",
                      "YAML syntax error: " + e.msg);
  }
}

ConfigError ConfigErrorAt(const std::string& file, const ConfigPositions& positions, const std::string& field,
                          const std::string& problem) {
  std::string at = field;
  while (!at.empty()) {
    if (auto it = positions.find(at); it != positions.end()) {
      return ConfigError(file, it->second.line, it->second.column, field, problem);
    }
    // "dhcp.pools[0].subnet" -> "dhcp.pools[0]" -> "dhcp.pools" -> "dhcp".
    const size_t cut = at.find_last_of(".[");
    at = cut == std::string::npos ? "" : at.substr(0, cut);
  }
  return ConfigError(file, 0, 0, field, problem);
}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path)
    : YamlMap(std::move(node), std::move(file), std::move(path), std::make_shared<ConfigPositions>()) {}

YamlMap::YamlMap(YAML::Node node, std::string file, std::string path, std::shared_ptr<ConfigPositions> positions)
    : node_(std::move(node)),
      file_(std::move(file)),
      path_(std::move(path)),
      seen_(std::make_shared<std::set<std::string>>()),
      positions_(std::move(positions)) {
  if (node_.IsNull()) node_ = YAML::Node(YAML::NodeType::Map);
  if (!node_.IsMap()) {
    throw ConfigError(file_, LineOf(node_), ColumnOf(node_), path_, "must be a mapping");
  }
}

std::string YamlMap::FieldPath(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void YamlMap::Fail(const std::string& key, const std::string& problem) const {
  YAML::Node n = node_[key];
  const YAML::Node& at = n.IsDefined() ? n : node_;
  throw ConfigError(file_, LineOf(at), ColumnOf(at), FieldPath(key), problem);
}

bool YamlMap::Has(const std::string& key) const {
  seen_->insert(key);
  if (g_field_observer) g_field_observer(FieldPath(key));
  YAML::Node n = node_[key];
  return n.IsDefined() && !n.IsNull();
}

YAML::Node YamlMap::Get(const std::string& key) const {
  seen_->insert(key);
  if (g_field_observer) g_field_observer(FieldPath(key));
  YAML::Node n = node_[key];
  if (n.IsDefined()) (*positions_)[FieldPath(key)] = ConfigPosition{LineOf(n), ColumnOf(n)};
  return n;
}

YAML::Node YamlMap::Scalar(const std::string& key) const {
  YAML::Node n = Get(key);
  if (!n.IsDefined() || n.IsNull()) Fail(key, "is required");
  if (!n.IsScalar()) Fail(key, "must be a scalar value");
  return n;
}

std::string YamlMap::String(const std::string& key) const {
  return Scalar(key).Scalar();
}

std::string YamlMap::String(const std::string& key, const std::string& fallback) const {
  return Has(key) ? String(key) : fallback;
}

std::optional<std::string> YamlMap::OptionalString(const std::string& key) const {
  if (!Has(key)) return std::nullopt;
  return String(key);
}

int64_t YamlMap::Int(const std::string& key, int64_t min, int64_t max) const {
  std::string text = Scalar(key).Scalar();
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) Fail(key, "must be an integer (got " + Quote(text) + ")");
  if (v < min || v > max) {
    Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " + text + ")");
  }
  return v;
}

int64_t YamlMap::Int(const std::string& key, int64_t min, int64_t max, int64_t fallback) const {
  return Has(key) ? Int(key, min, max) : fallback;
}

bool YamlMap::Bool(const std::string& key, bool fallback) const {
  if (!Has(key)) return fallback;
  std::string text = Scalar(key).Scalar();
  if (text == "true") return true;
  if (text == "false") return false;
  Fail(key, "must be true or false (got " + Quote(text) + ")");
}

std::string YamlMap::Enum(const std::string& key, std::initializer_list<const char*> allowed,
                          const std::string& fallback) const {
  if (!Has(key)) return fallback;
  std::string text = String(key);
  std::string list;
  for (const char* a : allowed) {
    if (text == a) return text;
    if (!list.empty()) list += ", ";
    list += a;
  }
  Fail(key, "must be one of " + list + " (got " + Quote(text) + ")");
}

std::vector<std::string> YamlMap::StringList(const std::string& key) const {
  std::vector<std::string> out;
  if (!Has(key)) return out;
  YAML::Node n = Get(key);
  if (!n.IsSequence()) Fail(key, "must be a list");
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      throw ConfigError(file_, LineOf(n[i]), ColumnOf(n[i]), FieldPath(key) + "[" + std::to_string(i) + "]",
                        "must be a string");
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

YamlMap YamlMap::Map(const std::string& key) const {
  if (!Has(key)) Fail(key, "is required");
  YAML::Node n = Get(key);
  if (!n.IsMap()) Fail(key, "must be a mapping");
  return YamlMap(n, file_, FieldPath(key), positions_);
}

std::optional<YamlMap> YamlMap::OptionalMap(const std::string& key) const {
  if (!Has(key)) return std::nullopt;
  return Map(key);
}

std::vector<YamlMap> YamlMap::MapList(const std::string& key) const {
  std::vector<YamlMap> out;
  if (!Has(key)) return out;
  YAML::Node n = Get(key);
  if (!n.IsSequence()) Fail(key, "must be a list");
  for (size_t i = 0; i < n.size(); ++i) {
    std::string item_path = FieldPath(key) + "[" + std::to_string(i) + "]";
    if (!n[i].IsMap()) throw ConfigError(file_, LineOf(n[i]), ColumnOf(n[i]), item_path, "must be a mapping");
    (*positions_)[item_path] = ConfigPosition{LineOf(n[i]), ColumnOf(n[i])};
    out.push_back(YamlMap(n[i], file_, item_path, positions_));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> YamlMap::StringMap(const std::string& key) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!Has(key)) return out;
  YAML::Node n = Get(key);
  if (!n.IsMap()) Fail(key, "must be a mapping of names to values");
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->second.IsScalar()) {
      throw ConfigError(file_, LineOf(it->second), ColumnOf(it->second), FieldPath(key) + "." + it->first.Scalar(),
                        "must be a scalar value");
    }
    (*positions_)[FieldPath(key) + "." + it->first.Scalar()] = ConfigPosition{LineOf(it->second), ColumnOf(it->second)};
    out.emplace_back(it->first.Scalar(), it->second.Scalar());
  }
  return out;
}

void YamlMap::RejectUnknownFields() const {
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (!seen_->count(key)) {
      throw ConfigError(file_, LineOf(it->first), ColumnOf(it->first), FieldPath(key), "unknown field");
    }
  }
}

}  // namespace rackboot
