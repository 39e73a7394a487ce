#pragma once
// Machine and BootProfile manifests (rackboot.io/v1alpha1) as standalone
// bootd reads them from YAML: the same documents `kubectl apply` takes, so
// the field names and rules follow crds/machine.yaml and crds/bootprofile.yaml.
// Parsing runs at start-up and reload only, so errors are ConfigError naming
// file, line and field (docs/contributing.md, "Error handling").

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bootd/assignments/assignment.h"
#include "common/yaml_config.h"

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

struct MachineManifest {
  ManifestOrigin origin;
  std::string name;        // metadata.name
  std::string namespace_;  // metadata.namespace, may be empty
  std::string rack;
  std::string hostname;  // defaults to name
  std::vector<InterfaceAssignment> interfaces;
  std::string uuid;  // lowercase
  std::string architecture;
  std::string firmware;      // bios | uefi | auto
  std::string profile_name;  // bootProfileRef.name; empty = only known
  bool allow_pxe = true;
  bool boot_once = false;
  std::map<std::string, std::string> parameters;
  std::map<std::string, std::string> boot_file_overrides;
  std::map<std::string, std::string> annotations;  // metadata.annotations
};

struct ProfileParameter {
  std::string name;
  std::optional<std::string> default_value;
  bool required = false;
};

struct ProfileMenuEntry {
  std::string name;
  std::string label;
  std::string action = "boot";  // boot | localboot | shell
  std::optional<std::string> cmdline;
};

struct BootProfileManifest {
  ManifestOrigin origin;
  std::string name;
  std::string namespace_;
  BootArtifact kernel;
  std::vector<BootArtifact> initrds;
  std::string cmdline;
  std::string ipxe_template;
  std::string grub_template;
  std::string pxelinux_template;
  std::vector<ProfileMenuEntry> menu;
  std::string menu_default;
  int menu_timeout_seconds = 10;
  std::map<std::string, std::string> install_configs;  // "preseed", "user-data", ...
  std::vector<ProfileParameter> parameters;
  std::map<std::string, std::string> annotations;  // metadata.annotations
};

// One YAML document of a manifest file.
struct ParsedManifest {
  std::optional<MachineManifest> machine;
  std::optional<BootProfileManifest> profile;
};

// Parses one document. Throws ConfigError for a wrong apiVersion, an
// unsupported kind, an unknown field or a value the CRD schema would reject.
ParsedManifest ParseManifest(const YAML::Node& document, const std::string& file);

MachineManifest ParseMachine(const YamlMap& object);
BootProfileManifest ParseBootProfile(const YamlMap& object);

}  // namespace rackboot::bootd::standalone
