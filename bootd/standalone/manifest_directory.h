#pragma once
// ManifestDirectory: turns a directory of Machine and BootProfile manifests
// (*.yaml / *.yml, several documents per file allowed) into the Assignments
// bootd serves standalone. `kind: Secret` documents labelled
// rackboot.io/secret: "true" supply the values of secret references
// (secret_manifest.h). A bad document -- or a Machine whose profile is
// missing or incomplete -- is reported and skipped; the rest keep serving.

#include <optional>
#include <string>
#include <vector>

#include "bootd/assignments/assignment.h"
#include "bootd/assignments/provisioned_records.h"
#include "bootd/standalone/manifest.h"
#include "common/result.h"
#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::bootd::standalone {

struct ManifestProblem {
  std::string file;
  int line = 0;
  std::string field;    // dotted path, may be empty
  std::string message;  // full text, "file:line:col: field 'x': problem"
};

struct ManifestLoad {
  std::vector<Assignment> assignments;
  std::vector<ManifestProblem> problems;
  size_t files = 0;
  size_t profiles = 0;
  size_t boot_trees = 0;
  // What MACs no Machine lists get: the BootProfile annotated
  // rackboot.io/default-for-unknown-machines: "true" (opt-in), resolved for
  // a machine without name or interfaces and without install configs (they
  // may hold secrets, and an unknown machine proves nothing).
  std::optional<Assignment> default_assignment;
  std::string default_profile;  // its name, empty when off
};

// Reads every manifest file directly in `dir` (sorted by name; hidden files
// and editor backups are ignored). Only Machines of `rack` become
// Assignments (an empty rack accepts all). Never throws for bad manifests;
// a missing or unreadable directory is a problem too.
// With `artifact_root`, artifact paths "<distro>/<release>/<version|latest>/
// vmlinuz|initrd" are resolved against the boot trees found there
// (boot_tree.h), and machines booting such a profile get the parameters
// boot_distro, boot_release, kernel_version and rootfs_path. A profile
// annotated rackboot.io/boot-tree-menu: "true" gets an iPXE menu of every
// tree found there (boot_tree_menu.h); rackboot.io/menu-default on the
// profile or a Machine picks its default entry.
// `provisioned` (bootd's booted records, provisioned_records.h) decides,
// with each Machine's bootOnce and re-provision annotation, whether it may
// netboot now (resolve/netboot_decision.h); null: no machine has booted.
ManifestLoad LoadManifestDirectory(const std::string& dir, const std::string& rack,
                                   const std::string& artifact_root = "",
                                   const ProvisionedRecords::Map* provisioned = nullptr);

// The assignment of one machine from its profile (nullptr: only known, no
// boot target), through the resolver the controller uses too
// (resolve/host_assignment_resolver.h). Fails when a required profile
// parameter is unset.
// `secrets`: the labelled Secrets of the machine's namespace.
Result<v1alpha1::HostAssignment> ResolveHostAssignment(const MachineManifest& machine,
                                                       const BootProfileManifest* profile,
                                                       const resolve::SecretData& secrets = {},
                                                       const resolve::ProvisionRecord* provisioned = nullptr);
// The same, in bootd's own form.
Result<Assignment> ResolveAssignment(const MachineManifest& machine, const BootProfileManifest* profile,
                                     const resolve::SecretData& secrets = {},
                                     const resolve::ProvisionRecord* provisioned = nullptr);

}  // namespace rackboot::bootd::standalone
