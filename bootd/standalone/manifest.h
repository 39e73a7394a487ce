#pragma once
// Machine and BootProfile manifests (rackboot.io/v1alpha1) as standalone
// bootd reads them from YAML: the same documents `kubectl apply` takes, so
// the field names and rules follow crds/machine.yaml and crds/bootprofile.yaml.
// Parsing runs at start-up and reload only, so errors are ConfigError naming
// file, line and field (docs/contributing.md, "Error handling").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bootd/standalone/secret_manifest.h"
#include "common/yaml_config.h"
#include "resolve/boot_profile_spec.h"
#include "resolve/machine_spec.h"
#include "resolve/netboot_decision.h"

namespace rackboot::bootd::standalone {

inline constexpr const char* kApiVersion = "rackboot.io/v1alpha1";

// Standalone-only switches, as annotations so the manifests stay valid for
// the CRDs (`kubectl apply` keeps them; the controller ignores them).
// See docs/standalone.md.
//   BootProfile: "true" = machines no Machine lists boot this profile
//   (AutoPXE's DefaultDistro). Opt-in: any machine on the segment gets it.
inline constexpr const char* kDefaultProfileAnnotation = "rackboot.io/default-for-unknown-machines";
//   BootProfile: "true" = the iPXE menu lists every scanned boot tree
//   (distro/release, latest kernel) x each boot entry of spec.menu.
inline constexpr const char* kBootTreeMenuAnnotation = "rackboot.io/boot-tree-menu";
//   BootProfile or Machine: the default menu entry, as an entry name or an
//   AutoPXE path "<distro>/<release>/latest/<entry>" (AutoPXE's
//   HostDefaults when set on a Machine).
inline constexpr const char* kMenuDefaultAnnotation = "rackboot.io/menu-default";

struct ManifestOrigin {
  std::string file;
  int line = 0;
};

// The spec fields are the resolver's typed model (resolve/), the same
// structs the controller fills from JSON, so both doors resolve alike.
struct MachineManifest : resolve::MachineSpec {
  ManifestOrigin origin;
  std::string name;                                // metadata.name
  std::string namespace_;                          // metadata.namespace, may be empty
  int64_t generation = 0;                          // metadata.generation when the file carries one
  std::map<std::string, std::string> annotations;  // metadata.annotations

  // The re-provision annotation rides along (resolve/netboot_decision.h).
  resolve::MachineIdentity Identity() const {
    auto r = annotations.find(resolve::kReprovisionAnnotation);
    return {name, namespace_, generation, r == annotations.end() ? "" : r->second};
  }
};

using resolve::ProfileMenuEntry;
using resolve::ProfileParameter;

struct BootProfileManifest : resolve::BootProfileSpec {
  ManifestOrigin origin;
  std::string name;
  std::string namespace_;
  std::map<std::string, std::string> annotations;  // metadata.annotations
};

// One YAML document of a manifest file.
struct ParsedManifest {
  std::optional<MachineManifest> machine;
  std::optional<BootProfileManifest> profile;
  std::optional<SecretManifest> secret;  // kind: Secret (v1), secret_manifest.h
};

// Parses one document. Throws ConfigError for a wrong apiVersion, an
// unsupported kind, an unknown field or a value the CRD schema would reject.
ParsedManifest ParseManifest(const YAML::Node& document, const std::string& file);

MachineManifest ParseMachine(const YamlMap& object);
BootProfileManifest ParseBootProfile(const YamlMap& object);

}  // namespace rackboot::bootd::standalone
