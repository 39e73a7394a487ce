#pragma once
// The AutoPXE menu (seed 000) built from the scanned boot trees: one iPXE
// entry per distro/release with its latest kernel, for each boot option of
// the profile (AutoPXE's CmdlineTemplates such as overlayfs or nfsrw).
// Entries carry the facts of their tree as template parameters, so one
// command-line template serves every tree:
//   root=/dev/nfs nfsroot={{env.nfs-server}}:{{params.rootfs_path}} ip=dhcp
// bootd/render escapes every value when the script is rendered.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bootd/assignments/assignment.h"
#include "bootd/standalone/boot_tree.h"

namespace rackboot::bootd::standalone {

// One way to boot a tree: AutoPXE's "<distro>/<release>/<kernel>/<option>".
struct BootOption {
  std::string name;  // empty: the entry is named after the tree alone
  std::string label;
  std::string cmdline_template;
};

// Template parameters of a tree: boot_distro, boot_release, kernel_version,
// rootfs_path.
std::map<std::string, std::string> BootTreeParameters(const BootTree& tree);

// "<distro>-<release>-latest[-<option>]", every character outside
// [A-Za-z0-9_] of each part replaced by '_' (iPXE label syntax).
std::string BootTreeEntryName(const std::string& distro, const std::string& release, const std::string& option);

// Entries in the index's order (distro, release); one per option. A tree
// whose names or paths cannot be written into an iPXE script safely
// (bootd/render's rules) is left out and named in *skipped, so one odd
// directory does not break the menu for every machine.
std::vector<MenuEntry> BuildBootTreeMenu(const BootTreeIndex& index, const std::vector<BootOption>& options,
                                         std::vector<std::string>* skipped = nullptr);

// `wanted` is an entry name or an AutoPXE path "<distro>/<release>/latest[/<option>]";
// returns the entry's name, nullopt when the menu has no such entry.
std::optional<std::string> ResolveMenuDefault(const std::vector<MenuEntry>& menu, const std::string& wanted);

}  // namespace rackboot::bootd::standalone
