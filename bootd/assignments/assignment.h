#pragma once
// Assignment: what bootd knows about one machine -- the C++ form of
// proto HostAssignment, filled from the controller's push or, standalone,
// from Machine + BootProfile manifests. Immutable once published.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/net_address.h"

namespace rackboot::bootd {

struct BootArtifact {
  std::string url;     // http(s)://..., or a path relative to the artifact root
  std::string sha256;  // lowercase hex; empty = not verified
};

struct MenuEntry {
  std::string name;   // identifier, [A-Za-z0-9_-]
  std::string label;  // shown to the user
  BootArtifact kernel;
  std::vector<BootArtifact> initrds;
  std::string cmdline_template;
  std::string action = "boot";  // boot | localboot | shell (proto MenuEntry.action)
  // Template parameters of this entry only, over the machine's (a boot-tree
  // menu entry's boot_distro, kernel_version, rootfs_path...).
  std::map<std::string, std::string> parameters;
};

struct BootTarget {
  std::string profile_name;
  BootArtifact kernel;
  std::vector<BootArtifact> initrds;
  std::string cmdline_template;  // Mustache
  std::string ipxe_template;     // optional full template; empty = built-in
  std::string grub_template;
  std::string pxelinux_template;
  std::map<std::string, std::string> install_configs;  // "user-data" -> template
  // Names in install_configs whose text came from a Secret: token only,
  // even when listed in http.publicConfigs.
  std::set<std::string> secret_install_configs;
  std::vector<MenuEntry> menu;  // optional; empty = boot directly
  std::string menu_default;
  int menu_timeout_seconds = 0;
};

struct InterfaceAssignment {
  MacAddress mac;
  std::optional<Ipv4Address> ipv4;  // resolved address; none = dynamic from the pool
  bool primary = false;
};

struct Assignment {
  std::string machine_name;  // "namespace/name" (or "name" standalone)
  std::string rack;
  std::string hostname;
  std::vector<InterfaceAssignment> interfaces;
  std::string uuid;          // SMBIOS UUID, lowercase canonical; empty = none
  std::string architecture;  // hint: x86_64, arm64
  std::string firmware;      // hint: bios, uefi
  bool allow_pxe = true;     // false: never hand out a boot file
  bool boot_once = false;
  BootTarget boot;
  std::map<std::string, std::string> parameters;  // template parameters
  // Values from Secrets (Machine spec.secretParameters): rendered into
  // install configs only (token-protected), never into boot scripts.
  std::map<std::string, std::string> secret_parameters;
  std::map<std::string, std::string> boot_file_overrides;  // client class -> file, e.g. "x86_64-uefi" -> "snponly.efi"
  uint64_t generation = 0;
  std::string reprovision;  // the re-provision request bootOnce is scoped to (resolve/netboot_decision.h)

  const InterfaceAssignment* FindInterface(const MacAddress& mac) const {
    for (const auto& i : interfaces) {
      if (i.mac == mac) return &i;
    }
    return nullptr;
  }
};

}  // namespace rackboot::bootd
