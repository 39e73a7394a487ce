#include "tools/crd_reference/crd_reference.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/yaml_config.h"

namespace rackboot::tools {
namespace {

CrdReference Repo(const std::string& file) {
  const std::string path = std::string(RACKBOOT_SOURCE_DIR) + "/" + file;
  return ReadCrd(LoadYamlFile(path), file);
}

const SchemaField* FindField(const CrdReference& crd, const std::string& path) {
  for (const auto& f : crd.versions.at(0).fields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

// A CRD whose schema is `schema` (indented for openAPIV3Schema).
YAML::Node Crd(const std::string& schema, const std::string& extra_version_lines = "") {
  return YAML::Load(R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.io}
spec:
  group: example.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wdg], categories: [things]}
  versions:
    - name: v1
      served: true
      storage: true
)" + extra_version_lines +
                    R"(      schema:
        openAPIV3Schema:
)" + schema);
}

// The rule this generator exists for: kubectl explain shows text for every
// field of both CRDs, status included.
TEST(CrdReferenceTest, EverySchemaNodeOfTheRepositoryCrdsHasADescription) {
  for (const char* file : {"crds/machine.yaml", "crds/bootprofile.yaml"}) {
    const CrdReference crd = Repo(file);
    EXPECT_GT(crd.versions.at(0).fields.size(), 60u) << file << ": the walk reaches every node";
    const auto missing = MissingDescriptions(crd);
    EXPECT_TRUE(missing.empty()) << file << ":\n" << ::testing::PrintToString(missing);
  }
}

TEST(CrdReferenceTest, WalksListItemsAndMapValuesWithTheirPaths) {
  const CrdReference machine = Repo("crds/machine.yaml");
  for (const char* path : {"spec.interfaces[].mac", "spec.secretParameters.<key>.name", "status.lastError.message",
                           "status.bootProgress.stages[].durationMillis", "status.conditions[].reason",
                           "status.detected.parameterRequestList", "metadata", "apiVersion"}) {
    EXPECT_NE(FindField(machine, path), nullptr) << path;
  }
  const SchemaField* rack = FindField(machine, "spec.rack");
  ASSERT_NE(rack, nullptr);
  EXPECT_TRUE(rack->required);
  EXPECT_EQ(rack->type, "string");
  EXPECT_NE(std::find(rack->validation.begin(), rack->validation.end(), "1-63 characters"), rack->validation.end())
      << ::testing::PrintToString(rack->validation);
  EXPECT_EQ(FindField(machine, "spec.interfaces")->type, "[]object");
  EXPECT_EQ(FindField(machine, "spec.parameters")->type, "map[string]string");
  EXPECT_EQ(machine.short_names, std::vector<std::string>{"rbm"});
  EXPECT_EQ(machine.categories, std::vector<std::string>{"rackboot"});
}

TEST(CrdReferenceTest, AMissingDescriptionIsNamedWithFileLineAndPath) {
  const CrdReference crd = ReadCrd(Crd(R"(          type: object
          description: A widget.
          properties:
            spec:
              type: object
              description: Desired state.
              properties:
                size:
                  type: integer
                parts:
                  type: array
                  description: Parts.
                  items:
                    type: object
                    properties:
                      name: {type: string}
)"),
                                   "crds/widget.yaml");
  const auto missing = MissingDescriptions(crd);
  ASSERT_EQ(missing.size(), 2u) << ::testing::PrintToString(missing);
  EXPECT_EQ(missing[0],
            "crds/widget.yaml:22: Widget v1 spec.size has no description (kubectl explain would show nothing)");
  EXPECT_NE(missing[1].find("spec.parts[].name has no description"), std::string::npos) << missing[1];
}

TEST(CrdReferenceTest, RendersNamesColumnsAndFieldsWithValidationAndEscapedPipes) {
  const CrdReference crd = ReadCrd(Crd(R"(          type: object
          description: A widget on a shelf.
          properties:
            spec:
              type: object
              description: Desired state.
              required: [color]
              properties:
                color:
                  type: string
                  description: Paint colour.
                  enum: [red, blue]
                  default: red
                code:
                  type: string
                  description: Part code, a|b, keyed <arch>.
                  maxLength: 9
                  pattern: '^(a|b)$'
                  x-kubernetes-validations:
                    - rule: "self != 'c'"
                      message: code must not be c
)",
                                       R"(      additionalPrinterColumns:
        - {name: Color, type: string, jsonPath: .spec.color}
        - {name: Code, type: string, jsonPath: .spec.code, priority: 1}
)"),
                                   "crds/widget.yaml");
  const std::string doc = RenderApiReference({crd}, "make reference");
  for (const char* want : {
           "# API reference\n",
           "Regenerate: make reference",
           "## Widget\n",
           "| resource | `widgets.example.io` (Namespaced) |",
           "| short names | `wdg` |",
           "`kubectl get things` lists every kind in it",
           "A widget on a shelf.",
           "### `kubectl get wdg`",
           "| COLOR | `.spec.color` | always |",
           "| CODE | `.spec.code` | with `-o wide` |",
           "| `spec.color` | string, required | Paint colour. | one of: `red`, `blue`; default: `red` |",
           "| `spec.code` | string | Part code, a\\|b, keyed &lt;arch>. | at most 9 characters; pattern: `^(a\\|b)$`; "
           "rule: "
           "code must not be c |",
       }) {
    EXPECT_NE(doc.find(want), std::string::npos) << want << "\n---\n" << doc;
  }
  EXPECT_EQ(doc.back(), '\n');
  EXPECT_NE(doc.substr(doc.size() - 2), "\n\n") << "one trailing newline";
}

TEST(CrdReferenceTest, SomethingThatIsNotACrdIsAnErrorNamingTheField) {
  try {
    ReadCrd(YAML::Load("apiVersion: v1\nkind: ConfigMap\n"), "crds/x.yaml");
    FAIL() << "accepted a ConfigMap";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "crds/x.yaml");
    EXPECT_EQ(e.field(), "kind");
    EXPECT_EQ(e.line(), 2);
  }
  try {
    ReadCrd(YAML::Load("kind: CustomResourceDefinition\nspec:\n  group: example.io\n  names: {kind: W, plural: ws}\n"),
            "crds/y.yaml");
    FAIL() << "accepted a CRD without versions";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "spec.versions");
  }
}

}  // namespace
}  // namespace rackboot::tools
