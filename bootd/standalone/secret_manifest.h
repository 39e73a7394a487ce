#pragma once
// `kind: Secret` (v1) documents in standalone bootd's manifest directory, so
// the Secrets a BootProfile's install.*SecretRef or a Machine's
// secretParameters name work through both doors with one set of YAML. Read
// like the API server would: `data` is base64, `stringData` plain text and
// wins on the same key. Only Secrets labelled rackboot.io/secret: "true" are
// handed to the resolver (the controller's informer selects on that label).
// Errors name the file, line and key, never a value.

#include <map>
#include <string>

#include "common/yaml_config.h"

namespace rackboot::bootd::standalone {

struct SecretManifest {
  std::string file;
  int line = 0;
  std::string name;
  std::string namespace_;                   // may be empty
  bool labelled = false;                    // carries rackboot.io/secret: "true"
  std::map<std::string, std::string> data;  // decoded values; never log them
};

// Throws ConfigError for a wrong apiVersion, invalid base64 or an unknown field.
SecretManifest ParseSecret(const YamlMap& object);

}  // namespace rackboot::bootd::standalone
