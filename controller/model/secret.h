#pragma once
// The values of a core/v1 Secret as the resolver takes them
// (resolve/secret_data.h). The controller reads only Secrets labelled
// rackboot.io/secret=true (its informer's label selector), in the
// namespaces of `secretNamespaces` (docs/crd-fields.md, "Secrets").
// Nothing here logs: a Secret's values never leave the resolver's input.

#include <map>
#include <string>

#include "controller/model/json_fields.h"

namespace rackboot::model {

// data (base64, decoded here) and stringData (plain, wins on the same key;
// the API server folds it into data, so it only appears in tests and
// dry-runs). A value that is not base64 is left out: the reference to it
// then fails with "has no key", naming the Secret and key only.
std::map<std::string, std::string> SecretValuesFromJson(const Json& secret);

}  // namespace rackboot::model
