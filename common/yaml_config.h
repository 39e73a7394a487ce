#pragma once
// Strict YAML reading for configuration files and manifests. Every error
// names the file, the line and the dotted field path, e.g.
//   /etc/rackboot/bootd.yaml:12:3: field 'dhcp.mode': must be one of server, proxy, off (got "srv")
// Unknown fields are errors too (a typo must not be silently ignored).
// Exceptions are used here because this runs only at start-up / reload
// boundaries (docs/contributing.md, "Error handling").

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/config_position.h"

namespace rackboot {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, int column, std::string field, std::string problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }  // 1-based; 0 when unknown
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string field_;
  std::string problem_;
};

// A ConfigError for `field` of `file`, at the position of the field or, if
// it was not written, of its closest written parent ("dhcp" for
// "dhcp.serverAddress"); line 0 when none was.
ConfigError ConfigErrorAt(const std::string& file, const ConfigPositions& positions, const std::string& field,
                          const std::string& problem);

// Loads a whole file; syntax errors become ConfigError with the line.
YAML::Node LoadYamlFile(const std::string& path);
// Loads every document of a multi-document file ("---" separated).
std::vector<YAML::Node> LoadYamlDocuments(const std::string& path);
std::vector<YAML::Node> LoadYamlDocumentsFromString(const std::string& text, const std::string& name);

// A view of one YAML mapping that remembers where it came from.
class YamlMap {
 public:
  YamlMap(YAML::Node node, std::string file, std::string path);

  bool Has(const std::string& key) const;
  std::string String(const std::string& key) const;  // required
  std::string String(const std::string& key, const std::string& fallback) const;
  std::optional<std::string> OptionalString(const std::string& key) const;
  int64_t Int(const std::string& key, int64_t min, int64_t max) const;  // required
  int64_t Int(const std::string& key, int64_t min, int64_t max, int64_t fallback) const;
  bool Bool(const std::string& key, bool fallback) const;
  std::string Enum(const std::string& key, std::initializer_list<const char*> allowed,
                   const std::string& fallback) const;
  std::vector<std::string> StringList(const std::string& key) const;  // empty if absent
  YamlMap Map(const std::string& key) const;                          // required
  std::optional<YamlMap> OptionalMap(const std::string& key) const;
  std::vector<YamlMap> MapList(const std::string& key) const;  // empty if absent
  // Map with free-form string keys and scalar values (labels, parameters).
  std::vector<std::pair<std::string, std::string>> StringMap(const std::string& key) const;

  // Throws for any key that was never asked for.
  void RejectUnknownFields() const;

  [[noreturn]] void Fail(const std::string& key, const std::string& problem) const;
  std::string FieldPath(const std::string& key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  // Positions of every field read so far, in this map and all maps reached
  // from it (shared by the whole tree).
  const ConfigPositions& positions() const { return *positions_; }

 private:
  YamlMap(YAML::Node node, std::string file, std::string path, std::shared_ptr<ConfigPositions> positions);
  YAML::Node Get(const std::string& key) const;
  YAML::Node Scalar(const std::string& key) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  // Keys asked for, shared by copies so RejectUnknownFields sees all reads.
  std::shared_ptr<std::set<std::string>> seen_;
  std::shared_ptr<ConfigPositions> positions_;
};

}  // namespace rackboot
