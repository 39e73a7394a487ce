#pragma once
// Values from Kubernetes Secrets, as the resolver receives them: the doors
// read the Secrets (the controller from its label-selected Secret informer,
// standalone bootd from `kind: Secret` manifests) and hand the decoded
// values in, so the resolver stays pure. Only Secrets labelled
// rackboot.io/secret=true are read, through both doors (docs/crd-fields.md).
// Never log, print or put a value of these into a status message.

#include <map>
#include <set>
#include <string>

namespace rackboot::resolve {

// The label a Secret needs before rackboot reads it (the controller's
// informer selects on it; standalone bootd ignores unlabelled Secrets).
inline constexpr const char* kSecretLabel = "rackboot.io/secret";

// A reference to one key of a Secret in the referring object's namespace
// (Metal3's userData pattern; no cross-namespace references).
struct SecretKeyRef {
  std::string name;
  std::string key;
  bool operator==(const SecretKeyRef&) const = default;
};

// The Secrets of one namespace: name -> key -> decoded value.
using SecretData = std::map<std::string, std::map<std::string, std::string>>;

struct MachineSpec;
struct BootProfileSpec;

// Names of the Secrets a Machine (and its profile, may be null) refers to:
// what the controller must have in its cache, and what a Secret change
// re-queues.
std::set<std::string> ReferencedSecrets(const MachineSpec& machine, const BootProfileSpec* profile);

}  // namespace rackboot::resolve
