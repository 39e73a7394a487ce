#pragma once
// The API reference (docs/api-reference.md) generated from the
// CustomResourceDefinitions in crds/: every schema node kubectl explain can
// show, with its type, description and validation, and the printer columns
// of kubectl get. Pure: YAML in, text out. The same walk finds schema nodes
// without a description, so a field kubectl explain would leave blank fails
// the build's tests (tests/unit/tools/crd_reference) and the generator
// refuses to write the reference.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace rackboot::tools {

// One schema node kubectl explain can address.
struct SchemaField {
  // "spec.interfaces[].mac": a list's items add "[]", a map's values
  // ".<key>"; "" is the root (the kind itself).
  std::string path;
  std::string type;  // string, integer, boolean, object, []object, map[string]string, ...
  std::string description;
  bool required = false;
  std::vector<std::string> validation;  // Markdown: "one of: `bios`, `uefi`", "default: `auto`", ...
  int line = 0;                         // 1-based line of the node in its file
};

struct PrinterColumn {
  std::string name;
  std::string type;
  std::string json_path;
  int priority = 0;  // > 0: shown only with -o wide
};

// One served version of a CRD.
struct CrdVersion {
  std::string name;  // v1alpha1
  std::vector<PrinterColumn> columns;
  std::vector<SchemaField> fields;  // the root first, then depth-first in file order
};

struct CrdReference {
  std::string file;  // as given, e.g. crds/machine.yaml
  std::string group, kind, plural, singular, scope;
  std::vector<std::string> short_names, categories;
  std::vector<CrdVersion> versions;
};

// Reads one CustomResourceDefinition (apiextensions.k8s.io/v1). Throws
// rackboot::ConfigError naming the file, line and field when it is not one.
CrdReference ReadCrd(const YAML::Node& crd, const std::string& file);

// "crds/machine.yaml:412: status.lastError.time has no description" for
// every schema node kubectl explain would show without text.
std::vector<std::string> MissingDescriptions(const CrdReference& crd);

// The whole reference, Markdown, for these CRDs in this order.
// `regenerate` is the command the header tells readers to run.
std::string RenderApiReference(const std::vector<CrdReference>& crds, const std::string& regenerate);

}  // namespace rackboot::tools
