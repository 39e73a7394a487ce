// `kind: Secret` documents in standalone bootd's manifest directory: read
// as the API server reads them, and never quoted in an error.
#include "bootd/standalone/secret_manifest.h"

#include <gtest/gtest.h>

#include "bootd/standalone/manifest.h"

namespace rackboot::bootd::standalone {
namespace {

constexpr const char* kSecret = R"(apiVersion: v1
kind: Secret
metadata:
  name: node-creds
  namespace: lab
  labels: {rackboot.io/secret: "true", team: infra}
type: Opaque
data:
  hash: SEFTSC1WQUxVRQ==
  empty: ""
stringData:
  user-data: "#cloud-config\n"
)";

ParsedManifest Parse(const std::string& text) {
  return ParseManifest(LoadYamlDocumentsFromString(text, "s.yaml").at(0), "s.yaml");
}

ConfigError ParseError(const std::string& text) {
  try {
    Parse(text);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return ConfigError("", 0, 0, "", "");
}

std::string With(const std::string& from, const std::string& to) {
  std::string t = kSecret;
  t.replace(t.find(from), from.size(), to);
  return t;
}

TEST(SecretManifestTest, DataIsBase64AndStringDataPlain) {
  ParsedManifest p = Parse(kSecret);
  ASSERT_TRUE(p.secret);
  EXPECT_EQ(p.secret->name, "node-creds");
  EXPECT_EQ(p.secret->namespace_, "lab");
  EXPECT_TRUE(p.secret->labelled);
  EXPECT_EQ(p.secret->data.at("hash"), "HASH-VALUE");
  EXPECT_EQ(p.secret->data.at("empty"), "");
  EXPECT_EQ(p.secret->data.at("user-data"), "#cloud-config\n");
  EXPECT_FALSE(Parse(With("rackboot.io/secret: \"true\"", "rackboot.io/secret: \"no\"")).secret->labelled);
}

TEST(SecretManifestTest, ErrorsNameTheKeyButNeverTheValue) {
  ConfigError bad = ParseError(With("SEFTSC1WQUxVRQ==", "SEFTSC1WQUxVRQ"));
  EXPECT_EQ(bad.field(), "data");
  EXPECT_NE(std::string(bad.what()).find("key 'hash' is not base64"), std::string::npos) << bad.what();
  EXPECT_EQ(std::string(bad.what()).find("SEFTSC1WQUxVRQ"), std::string::npos) << bad.what();
  EXPECT_EQ(ParseError(With("apiVersion: v1", "apiVersion: rackboot.io/v1alpha1")).field(), "apiVersion");
  EXPECT_EQ(ParseError(With("type: Opaque", "typo: Opaque")).field(), "typo");
  EXPECT_EQ(ParseError(With("  hash: SEFT", "  ha/sh: SEFT")).field(), "data");
}

}  // namespace
}  // namespace rackboot::bootd::standalone
