// Keeps the chart's schema for bootd's config (values.schema.json,
// $defs/bootdConfig) and bootd's parser (bootd/config/bootd_config.cc) in
// step, with the parser as the authority:
//
//   bootd_config_keys_check values <schema.json>
//     prints chart values whose bootd.config sets every key of the schema,
//     each to the schema's `examples[0]` (a key without one is an error).
//   bootd_config_keys_check compare <schema.json> <rendered.yaml> <scratch dir>
//     loads every bootd.yaml of a chart rendered from those values with
//     LoadBootdConfig, recording each field the parser asks for
//     (common/yaml_field_observer.h), and fails when
//       - the parser rejects a key (the schema offers a key bootd lacks),
//       - the parser asks for a key no rendered config contains and that
//         is not in kNotOffered (bootd has a key the chart cannot set),
//       - a schema key's example does not reach the rendered config
//         unchanged (the chart overwrites or drops a key it offers),
//       - a kNotOffered key is no longer asked for (the list went stale).
// Paths are dotted with [] for list items: "dhcp.pxeMenu.items[].type".
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "bootd/config/bootd_config.h"
#include "common/yaml_config.h"
#include "common/yaml_field_observer.h"

namespace {

// Keys bootd accepts that the chart deliberately does not render. Every
// other key is either in the schema or set by the chart's templates
// (rackboot.bootd.config in templates/_helpers.tpl).
const std::map<std::string, std::string> kNotOffered = {
    {"manifestDir", "standalone mode; the chart runs bootd under the controller"},
    {"dhcp.leases.path", "default <stateDir>/dhcp-leases.journal on the state hostPath"},
    {"controller.snapshotPath", "default <stateDir>/assignments.snap on the state hostPath"},
};

std::set<std::string> g_asked;

// "pools[3].subnet" -> "pools[].subnet".
std::string Normalize(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    out.push_back(path[i]);
    if (path[i] != '[') continue;
    while (i + 1 < path.size() && path[i + 1] != ']') ++i;
  }
  return out;
}

void Record(const std::string& path) {
  g_asked.insert(Normalize(path));
}

// Every key path of a YAML tree, and each of its ancestors.
void CollectPaths(const YAML::Node& node, const std::string& prefix, std::set<std::string>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      out->insert(path);
      CollectPaths(kv.second, path, out);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) CollectPaths(item, prefix + "[]", out);
  }
}

// A schema node is a section when it lists properties, a list of sections
// when its items do; anything else is a leaf that carries an example.
struct SchemaLeaf {
  std::string path;
  YAML::Node example;
};

bool IsSection(const YAML::Node& s) {
  return s["properties"].IsDefined();
}
bool IsSectionList(const YAML::Node& s) {
  return s["items"].IsDefined() && IsSection(s["items"]);
}

// Builds the maximal config from the schema (into `out`) and lists its leaves.
void Walk(const YAML::Node& section, const std::string& prefix, YAML::Node out, std::vector<SchemaLeaf>* leaves,
          bool* ok) {
  for (const auto& kv : section["properties"]) {
    const std::string key = kv.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& s = kv.second;
    if (IsSection(s)) {
      YAML::Node child(YAML::NodeType::Map);
      Walk(s, path, child, leaves, ok);
      out[key] = child;
    } else if (IsSectionList(s)) {
      YAML::Node item(YAML::NodeType::Map);
      Walk(s["items"], path + "[]", item, leaves, ok);
      YAML::Node list(YAML::NodeType::Sequence);
      list.push_back(item);
      out[key] = list;
    } else if (s["examples"].IsSequence() && s["examples"].size() > 0) {
      out[key] = YAML::Clone(s["examples"][0]);
      leaves->push_back({path, s["examples"][0]});
    } else {
      std::cerr << "schema: $defs/bootdConfig " << path << " has no examples (the maximal config needs one)\n";
      *ok = false;
    }
  }
}

YAML::Node BootdConfigSchema(const std::string& schema_path) {
  // JSON is YAML; yaml-cpp reads the schema as it is.
  YAML::Node schema = YAML::LoadFile(schema_path);
  YAML::Node def = schema["$defs"]["bootdConfig"];
  if (!def.IsDefined() || !IsSection(def)) throw std::runtime_error(schema_path + ": no $defs/bootdConfig");
  return def;
}

// The node at `path` (undefined if absent). Node::operator= would copy into
// the tree; reset() moves the handle.
YAML::Node At(const YAML::Node& root, const std::string& path) {
  YAML::Node node;
  node.reset(root);
  std::string rest = path;
  while (!rest.empty()) {
    const size_t dot = rest.find('.');
    std::string key = rest.substr(0, dot);
    rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    const bool item = key.size() > 2 && key.compare(key.size() - 2, 2, "[]") == 0;
    if (item) key.resize(key.size() - 2);
    if (!node.IsMap() || !node[key].IsDefined()) return YAML::Node();
    node.reset(node[key]);
    if (item) {
      if (!node.IsSequence() || node.size() == 0) return YAML::Node();
      node.reset(node[0]);
    }
  }
  return node;
}

bool SameValue(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  if (a.IsSequence()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameValue(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.IsMap()) {
    if (a.size() != b.size()) return false;
    for (const auto& kv : a) {
      if (!b[kv.first.Scalar()].IsDefined() || !SameValue(kv.second, b[kv.first.Scalar()])) return false;
    }
    return true;
  }
  return true;
}

int PrintValues(const std::string& schema_path) {
  YAML::Node config(YAML::NodeType::Map);
  std::vector<SchemaLeaf> leaves;
  bool ok = true;
  Walk(BootdConfigSchema(schema_path), "", config, &leaves, &ok);
  if (!ok) return 1;
  YAML::Node values;
  values["bootd"]["config"] = config;
  std::cout << "# Generated by bootd_config_keys_check from $defs/bootdConfig: every key, its example.\n"
            << values << "\n";
  return 0;
}

int Compare(const std::string& schema_path, const std::string& rendered, const std::string& scratch) {
  YAML::Node config(YAML::NodeType::Map);
  std::vector<SchemaLeaf> leaves;
  bool ok = true;
  Walk(BootdConfigSchema(schema_path), "", config, &leaves, &ok);

  std::set<std::string> written;
  std::vector<YAML::Node> configs;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(rendered)) {
    if (!doc.IsMap() || !doc["kind"] || doc["kind"].as<std::string>() != "ConfigMap") continue;
    if (!doc["data"] || !doc["data"]["bootd.yaml"]) continue;
    const std::string name = doc["metadata"]["name"].as<std::string>();
    const std::string path = scratch + "/" + name + "-bootd.yaml";
    const std::string text = doc["data"]["bootd.yaml"].as<std::string>();
    std::ofstream(path) << text;
    rackboot::SetYamlFieldObserver(&Record);
    try {
      rackboot::bootd::LoadBootdConfig(path);
    } catch (const rackboot::ConfigError& e) {
      rackboot::SetYamlFieldObserver(nullptr);
      std::cerr << "bootd rejects the chart's config (a schema key bootd does not have?): " << e.what() << "\n";
      return 1;
    }
    rackboot::SetYamlFieldObserver(nullptr);
    configs.push_back(YAML::Load(text));
    CollectPaths(configs.back(), "", &written);
  }
  if (configs.empty()) {
    std::cerr << "no bootd.yaml in " << rendered << "\n";
    return 1;
  }

  for (const std::string& key : g_asked) {
    if (written.count(key) || kNotOffered.count(key)) continue;
    std::cerr << "bootd accepts '" << key << "' but the chart cannot set it: add it to $defs/bootdConfig in "
              << "values.schema.json (with an example), render it in rackboot.bootd.config, or list it in "
              << "kNotOffered with the reason\n";
    ok = false;
  }
  for (const auto& [key, why] : kNotOffered) {
    if (!g_asked.count(key)) {
      std::cerr << "kNotOffered lists '" << key << "' (" << why << ") but bootd no longer reads it\n";
      ok = false;
    }
  }
  size_t reached = 0;
  for (const SchemaLeaf& leaf : leaves) {
    bool found = false;
    for (const YAML::Node& c : configs) found = found || SameValue(At(c, leaf.path), leaf.example);
    if (!found) {
      std::cerr << "schema key '" << leaf.path << "' (example " << YAML::Dump(leaf.example)
                << ") does not reach any rendered bootd.yaml unchanged: the chart drops or overwrites it\n";
      ok = false;
    } else {
      ++reached;
    }
  }
  std::cout << configs.size() << " bootd.yaml, " << g_asked.size() << " keys read by bootd, " << leaves.size()
            << " schema keys (" << reached << " reach bootd), " << kNotOffered.size() << " not offered\n";
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::string(argv[1]) == "values") return PrintValues(argv[2]);
    if (argc == 5 && std::string(argv[1]) == "compare") return Compare(argv[2], argv[3], argv[4]);
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: bootd_config_keys_check values <schema.json>\n"
               "       bootd_config_keys_check compare <schema.json> <rendered.yaml> <scratch dir>\n";
  return 2;
}
