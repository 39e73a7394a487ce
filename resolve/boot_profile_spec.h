#pragma once
// BootProfileSpec: the typed form of a BootProfile's spec
// (crds/bootprofile.yaml), filled from JSON by the controller
// (controller/model/boot_profile.cc) and from YAML by standalone bootd
// (bootd/standalone/manifest.cc); resolve/host_assignment_resolver.h turns
// it into the boot target of a HostAssignment.

#include <optional>
#include <string>
#include <vector>

#include "resolve/secret_data.h"

namespace rackboot::resolve {

// Exactly one of url and path is set (the CRD's rule).
struct ProfileArtifact {
  std::string url;   // http(s) upstream
  std::string path;  // relative to bootd's artifact root
  std::string sha256;
};

struct ProfileParameter {
  std::string name;
  std::optional<std::string> default_value;
  bool required = false;
  std::string description;  // documentation only; never sent to bootd
};

struct ProfileMenuEntry {
  std::string name;
  std::string label;
  std::string action = "boot";  // boot | localboot | shell
  std::optional<std::string> cmdline;
};

// spec.install.cloudInit: served as the NoCloud files of the same names.
// Each file is inline text or a <field>SecretRef (never both, the CRD's
// rule); a file from a Secret is marked secret on the wire.
struct CloudInitConfig {
  std::string user_data;
  std::optional<std::string> meta_data;
  std::optional<std::string> vendor_data;
  std::optional<std::string> network_config;
  std::optional<SecretKeyRef> user_data_secret;  // userDataSecretRef
  std::optional<SecretKeyRef> meta_data_secret;
  std::optional<SecretKeyRef> vendor_data_secret;
  std::optional<SecretKeyRef> network_config_secret;
};

struct InstallSpec {
  std::optional<CloudInitConfig> cloud_init;
  std::optional<std::string> kickstart;
  std::optional<std::string> preseed;
  std::optional<SecretKeyRef> kickstart_secret;  // kickstartSecretRef
  std::optional<SecretKeyRef> preseed_secret;    // preseedSecretRef
};

struct BootProfileSpec {
  ProfileArtifact kernel;
  std::vector<ProfileArtifact> initrds;
  std::string cmdline;
  std::string ipxe_template;
  std::string grub_template;
  std::string pxelinux_template;
  std::vector<ProfileMenuEntry> menu;  // spec.menu.entries
  std::string menu_default;
  int menu_timeout_seconds = 10;  // the CRD default
  InstallSpec install;
  std::vector<ProfileParameter> parameters;
};

}  // namespace rackboot::resolve
