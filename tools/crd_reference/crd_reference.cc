#include "tools/crd_reference/crd_reference.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "common/yaml_config.h"

namespace rackboot::tools {
namespace {

// A map's child, or an undefined node. yaml-cpp throws when a scalar or a
// list is subscripted by a string, and a missing key gives a "zombie" node
// whose Type() throws; an undefined node answers IsMap() etc. safely.
YAML::Node Child(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node value = node[key];
  return value.IsDefined() ? value : YAML::Node(YAML::NodeType::Undefined);
}

std::string Text(const YAML::Node& node, const char* key) {
  const YAML::Node v = Child(node, key);
  return v.IsScalar() ? v.Scalar() : "";
}

int Line(const YAML::Node& node) {
  return node.Mark().line + 1;
}

[[noreturn]] void Fail(const std::string& file, const YAML::Node& at, const std::string& field,
                       const std::string& problem) {
  throw ConfigError(file, at.IsDefined() ? Line(at) : 0, at.IsDefined() ? at.Mark().column + 1 : 0, field, problem);
}

// A value as one line of YAML flow text ("auto", "{}", "[a, b]").
std::string Flow(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string Code(const std::string& text) {
  return text.find('`') == std::string::npos ? "`" + text + "`" : "`` " + text + " ``";
}

// `text` with each character found in `with` replaced by its text.
std::string Escaped(const std::string& text, const std::map<char, std::string>& with) {
  std::string out;
  for (char c : text) {
    const auto it = with.find(c);
    out += it == with.end() ? std::string(1, c) : it->second;
  }
  return out;
}

// Schema text as Markdown prose: "<arch>" would vanish as an HTML tag and
// "*" may start emphasis.
std::string Prose(const std::string& text) {
  return Escaped(text, {{'<', "&lt;"}, {'*', "\\*"}});
}

std::string TypeOf(const YAML::Node& schema) {
  const std::string type = Text(schema, "type");
  if (type == "array") return "[]" + TypeOf(Child(schema, "items"));
  const YAML::Node values = Child(schema, "additionalProperties");
  if (type == "object" && values.IsMap()) return "map[string]" + TypeOf(values);
  return type.empty() ? "any" : type;
}

// "1-63 characters", "at most 8 items", ">= 0": the bounds a schema sets.
// `unit` is plural ("characters"); empty for numbers.
void Bounds(const YAML::Node& schema, const char* min_key, const char* max_key, const std::string& unit,
            std::vector<std::string>* out) {
  const std::string min = Text(schema, min_key);
  const std::string max = Text(schema, max_key);
  auto counted = [&](const std::string& n) {
    return n + (unit.empty() ? "" : " " + (n == "1" ? unit.substr(0, unit.size() - 1) : unit));
  };
  if (!min.empty() && !max.empty()) {
    out->push_back(min + "-" + counted(max));
  } else if (!min.empty()) {
    out->push_back(unit.empty() ? ">= " + min : "at least " + counted(min));
  } else if (!max.empty()) {
    out->push_back(unit.empty() ? "<= " + max : "at most " + counted(max));
  }
}

std::vector<std::string> Validation(const YAML::Node& schema) {
  std::vector<std::string> out;
  if (const YAML::Node e = Child(schema, "enum"); e.IsSequence()) {
    std::vector<std::string> values;
    for (const auto& v : e) values.push_back(Code(Flow(v)));
    out.push_back("one of: " + Join(values, ", "));
  }
  if (const YAML::Node d = Child(schema, "default"); d.IsDefined()) out.push_back("default: " + Code(Flow(d)));
  if (const std::string f = Text(schema, "format"); !f.empty()) out.push_back("format: " + f);
  Bounds(schema, "minLength", "maxLength", "characters", &out);
  Bounds(schema, "minimum", "maximum", "", &out);
  Bounds(schema, "minItems", "maxItems", "items", &out);
  Bounds(schema, "minProperties", "maxProperties", "entries", &out);
  if (const std::string p = Text(schema, "pattern"); !p.empty()) out.push_back("pattern: " + Code(p));
  if (Text(schema, "x-kubernetes-list-type") == "map") {
    std::vector<std::string> keys;
    for (const auto& k : Child(schema, "x-kubernetes-list-map-keys")) keys.push_back(k.Scalar());
    out.push_back("entries unique by " + Code(Join(keys, ", ")));
  }
  for (const auto& rule : Child(schema, "x-kubernetes-validations")) {
    const std::string message = Text(rule, "message");
    out.push_back("rule: " + (message.empty() ? Code(Text(rule, "rule")) : Prose(message)));
  }
  return out;
}

std::string Joined(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

void Walk(const YAML::Node& schema, const std::string& path, bool required, std::vector<SchemaField>* out);

// The nodes below `schema` that kubectl explain shows as its fields: its
// properties, and those of its list items or map values (path + suffix).
void WalkChildren(const YAML::Node& schema, const std::string& path, std::vector<SchemaField>* out) {
  std::set<std::string> required;
  for (const auto& r : Child(schema, "required")) required.insert(r.Scalar());
  for (const auto& property : Child(schema, "properties")) {
    const std::string name = property.first.Scalar();
    Walk(property.second, Joined(path, name), required.count(name) > 0, out);
  }
  if (const YAML::Node items = Child(schema, "items"); items.IsMap()) WalkChildren(items, path + "[]", out);
  if (const YAML::Node values = Child(schema, "additionalProperties"); values.IsMap()) {
    WalkChildren(values, path + ".<key>", out);
  }
}

void Walk(const YAML::Node& schema, const std::string& path, bool required, std::vector<SchemaField>* out) {
  out->push_back({path, TypeOf(schema), Text(schema, "description"), required, Validation(schema), Line(schema)});
  WalkChildren(schema, path, out);
}

std::vector<std::string> Strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const auto& v : list) out.push_back(v.Scalar());
  return out;
}

// Markdown table cell: no line breaks, pipes escaped (also inside code).
std::string Cell(const std::string& text) {
  return Escaped(text, {{'|', "\\|"}, {'\n', " "}});
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// What kubectl commands should name: the first short name, else the
// fully-qualified plural.
std::string KubectlName(const CrdReference& crd) {
  return crd.short_names.empty() ? crd.plural + "." + crd.group : crd.short_names.front();
}

void RenderCrd(const CrdReference& crd, std::ostringstream& out) {
  const std::string qualified = crd.plural + "." + crd.group;
  out << "## " << crd.kind << "\n\n";
  out << "| | |\n|---|---|\n";
  out << "| source | " << Code(crd.file) << " |\n";
  out << "| resource | " << Code(qualified) << " (" << crd.scope << ") |\n";
  for (const auto& v : crd.versions) out << "| apiVersion | " << Code(crd.group + "/" + v.name) << " |\n";
  std::vector<std::string> shorts, categories;
  for (const auto& s : crd.short_names) shorts.push_back(Code(s));
  for (const auto& c : crd.categories) categories.push_back(Code(c));
  if (!shorts.empty()) out << "| short names | " << Join(shorts, ", ") << " |\n";
  if (!categories.empty()) {
    out << "| categories | " << Join(categories, ", ") << " (`kubectl get " << crd.categories.front()
        << "` lists every kind in it) |\n";
  }
  out << "\n";
  out << "In `kubectl` commands name it " << Code(qualified)
      << (crd.short_names.empty() ? "" : " or " + Code(crd.short_names.front()))
      << ", never the bare plural: another API group may serve the same plural (Cluster API does for "
         "`machines`), and the bare name then picks one of them.\n\n";

  for (const auto& v : crd.versions) {
    const std::string suffix = crd.versions.size() > 1 ? " (" + v.name + ")" : "";
    if (!v.fields.empty() && !v.fields.front().description.empty()) {
      out << Prose(v.fields.front().description) << "\n\n";
    }

    out << "### `kubectl get " << KubectlName(crd) << "`" << suffix << "\n\n";
    out << "| column | value | shown |\n|---|---|---|\n";
    out << "| NAME | `.metadata.name` | always |\n";
    for (const auto& c : v.columns) {
      out << "| " << Cell(Upper(c.name)) << " | " << Cell(Code(c.json_path)) << " | "
          << (c.priority > 0 ? "with `-o wide`" : "always") << " |\n";
    }
    out << "\n";

    out << "### Fields" << suffix << "\n\n";
    out << "| field | type | description | validation |\n|---|---|---|---|\n";
    for (const auto& f : v.fields) {
      if (f.path.empty()) continue;  // the kind itself: the paragraph above
      const std::string description =
          f.path == "metadata" && f.description.empty() ? "Standard object metadata (ObjectMeta)." : f.description;
      out << "| " << Cell(Code(f.path)) << " | " << f.type << (f.required ? ", required" : "") << " | "
          << Cell(Prose(description)) << " | " << Cell(Join(f.validation, "; ")) << " |\n";
    }
    out << "\n";
  }
}

}  // namespace

CrdReference ReadCrd(const YAML::Node& crd, const std::string& file) {
  if (Text(crd, "kind") != "CustomResourceDefinition") {
    Fail(file, Child(crd, "kind"), "kind", "is not CustomResourceDefinition");
  }
  const YAML::Node spec = Child(crd, "spec");
  const YAML::Node names = Child(spec, "names");
  CrdReference out;
  out.file = file;
  out.group = Text(spec, "group");
  out.scope = Text(spec, "scope");
  out.kind = Text(names, "kind");
  out.plural = Text(names, "plural");
  out.singular = Text(names, "singular");
  if (out.group.empty()) Fail(file, spec, "spec.group", "is missing");
  if (out.kind.empty() || out.plural.empty()) Fail(file, names, "spec.names", "needs kind and plural");
  out.short_names = Strings(Child(names, "shortNames"));
  out.categories = Strings(Child(names, "categories"));
  const YAML::Node versions = Child(spec, "versions");
  if (!versions.IsSequence() || versions.size() == 0) Fail(file, spec, "spec.versions", "lists no version");
  for (size_t i = 0; i < versions.size(); ++i) {
    const YAML::Node v = versions[i];
    const std::string field = "spec.versions[" + std::to_string(i) + "]";
    const YAML::Node schema = Child(Child(v, "schema"), "openAPIV3Schema");
    if (!schema.IsMap()) Fail(file, v, field + ".schema.openAPIV3Schema", "is missing");
    CrdVersion version;
    version.name = Text(v, "name");
    for (const auto& c : Child(v, "additionalPrinterColumns")) {
      const std::string priority = Text(c, "priority");
      version.columns.push_back(
          {Text(c, "name"), Text(c, "type"), Text(c, "jsonPath"), priority.empty() ? 0 : std::stoi(priority)});
    }
    Walk(schema, "", false, &version.fields);
    out.versions.push_back(std::move(version));
  }
  return out;
}

std::vector<std::string> MissingDescriptions(const CrdReference& crd) {
  std::vector<std::string> out;
  for (const auto& v : crd.versions) {
    for (const auto& f : v.fields) {
      // The root's metadata may hold nothing but its type (the apiserver
      // refuses a CRD with more); kubectl explain shows ObjectMeta's text.
      if (!f.description.empty() || f.path == "metadata") continue;
      out.push_back(crd.file + ":" + std::to_string(f.line) + ": " + crd.kind + " " + v.name + " " +
                    (f.path.empty() ? "(the schema root)" : f.path) +
                    " has no description (kubectl explain would show nothing)");
    }
  }
  return out;
}

std::string RenderApiReference(const std::vector<CrdReference>& crds, const std::string& regenerate) {
  std::vector<std::string> files;
  for (const auto& c : crds) files.push_back(Code(c.file));
  std::ostringstream out;
  out << "# API reference\n\n";
  out << "<!-- Generated by tools/crd_reference; do not edit. Regenerate: " << regenerate << " -->\n\n";
  out << "Every field of rackboot's custom resources, generated from the CustomResourceDefinitions ("
      << Join(files, ", ") << ") by `tools/crd_reference`. The text is each field's schema `description`, "
      << "which `kubectl explain` shows as well (`kubectl explain rbm.status.lastError`). Do not edit this "
      << "file: change the CRD and run `" << regenerate
      << "`; a test fails when it is out of date or when a field has no description. "
      << "Where each field takes effect in bootd: `docs/crd-fields.md`; template variables: "
      << "`docs/templates.md`.\n\n";
  for (const auto& c : crds) RenderCrd(c, out);
  std::string text = out.str();
  while (text.size() > 1 && text[text.size() - 1] == '\n' && text[text.size() - 2] == '\n') text.pop_back();
  return text;
}

}  // namespace rackboot::tools
