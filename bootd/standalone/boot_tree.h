#pragma once
// BootTreeIndex: the AutoPXE use case (seed 000). A root directory holds boot
// trees or built root filesystems laid out as
//   <root>/<distro>/<release>/vmlinuz-<version>       (+ initrd.img-<version>)
//   <root>/<distro>/<release>/boot/vmlinuz-<version>  (a whole rootfs)
// Scanning finds every distro, release and kernel version; "latest" names
// the highest version of a release. Manifests then say
//   kernel:  {path: debian/bookworm/latest/vmlinuz}
//   initrds: [{path: debian/bookworm/latest/initrd}]
// and get the concrete files, re-resolved on every reload (a new kernel
// dropped into the tree is picked up without editing manifests).

#include <optional>
#include <string>
#include <vector>

namespace rackboot::bootd::standalone {

struct BootTree {
  std::string distro;
  std::string release;
  std::string version;      // kernel version, from the file name
  std::string kernel;       // path relative to the root
  std::string initrd;       // relative path; empty when the tree has none
  std::string rootfs_path;  // absolute directory of the release (nfsroot=)
};

// Natural order of kernel versions: digit runs compare as numbers, so
// 6.1.0-10 > 6.1.0-9 and 6.10 > 6.9.
int CompareKernelVersions(const std::string& a, const std::string& b);

class BootTreeIndex {
 public:
  // Never throws; an unreadable or missing root yields an empty index.
  static BootTreeIndex Scan(const std::string& root);

  const std::vector<BootTree>& trees() const { return trees_; }
  // version "latest" picks the highest version of distro/release.
  const BootTree* Find(const std::string& distro, const std::string& release, const std::string& version) const;
  // "<distro>/<release>/<version|latest>/<vmlinuz|initrd>" -> the tree and
  // the concrete relative path. nullopt when `path` is not of that form;
  // an error text in *problem when it is but nothing matches.
  std::optional<std::string> ResolvePath(const std::string& path, const BootTree** tree, std::string* problem) const;

 private:
  std::vector<BootTree> trees_;  // sorted by distro, release, version
};

}  // namespace rackboot::bootd::standalone
