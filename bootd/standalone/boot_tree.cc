#include "bootd/standalone/boot_tree.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <tuple>

namespace rackboot::bootd::standalone {
namespace {

namespace fs = std::filesystem;

std::vector<fs::directory_entry> Dirs(const fs::path& p) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ec2;
    if (it->is_directory(ec2) && it->path().filename().string()[0] != '.') out.push_back(*it);
  }
  return out;
}

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Kernels in <dir>: vmlinuz-<version>; initrd.img-<version> (Debian) or
// initramfs-<version>.img (Fedora) beside them.
void ScanKernels(const fs::path& root, const fs::path& dir, const std::string& distro, const std::string& release,
                 const fs::path& rootfs, std::vector<BootTree>* out) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("vmlinuz-", 0) != 0 || !IsFile(it->path())) continue;
    BootTree t;
    t.distro = distro;
    t.release = release;
    t.version = name.substr(8);
    if (t.version.empty()) continue;
    t.kernel = fs::relative(it->path(), root, ec).string();
    for (const std::string& candidate : {"initrd.img-" + t.version, "initramfs-" + t.version + ".img"}) {
      if (IsFile(dir / candidate)) {
        t.initrd = fs::relative(dir / candidate, root, ec).string();
        break;
      }
    }
    t.rootfs_path = rootfs.string();
    out->push_back(std::move(t));
  }
}

}  // namespace

int CompareKernelVersions(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    const bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // Compare digit runs by value: strip leading zeros, then length, then text.
      std::string ra = a.substr(i, ie - i), rb = b.substr(j, je - j);
      ra.erase(0, std::min(ra.find_first_not_of('0'), ra.size() - 1));
      rb.erase(0, std::min(rb.find_first_not_of('0'), rb.size() - 1));
      if (ra.size() != rb.size()) return ra.size() < rb.size() ? -1 : 1;
      if (int c = ra.compare(rb); c != 0) return c < 0 ? -1 : 1;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i == a.size() && j == b.size()) return 0;
  return i == a.size() ? -1 : 1;
}

BootTreeIndex BootTreeIndex::Scan(const std::string& root_text) {
  BootTreeIndex index;
  const fs::path root(root_text);
  for (const auto& distro : Dirs(root)) {
    for (const auto& release : Dirs(distro.path())) {
      const std::string d = distro.path().filename().string(), r = release.path().filename().string();
      ScanKernels(root, release.path(), d, r, release.path(), &index.trees_);
      if (fs::path boot = release.path() / "boot"; fs::is_directory(boot)) {
        ScanKernels(root, boot, d, r, release.path(), &index.trees_);
      }
    }
  }
  std::sort(index.trees_.begin(), index.trees_.end(), [](const BootTree& x, const BootTree& y) {
    if (std::tie(x.distro, x.release) != std::tie(y.distro, y.release)) {
      return std::tie(x.distro, x.release) < std::tie(y.distro, y.release);
    }
    return CompareKernelVersions(x.version, y.version) < 0;
  });
  return index;
}

const BootTree* BootTreeIndex::Find(const std::string& distro, const std::string& release,
                                    const std::string& version) const {
  const BootTree* best = nullptr;
  for (const BootTree& t : trees_) {
    if (t.distro != distro || t.release != release) continue;
    if (version == "latest") {
      best = &t;  // sorted ascending: the last match is the highest
    } else if (t.version == version) {
      return &t;
    }
  }
  return best;
}

std::optional<std::string> BootTreeIndex::ResolvePath(const std::string& path, const BootTree** tree,
                                                      std::string* problem) const {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
    parts.push_back(path.substr(start, slash - start));
  }
  parts.push_back(path.substr(start));
  if (parts.size() != 4) return std::nullopt;
  const std::string& file = parts[3];
  const bool kernel = file == "vmlinuz";
  if (!kernel && file != "initrd") return std::nullopt;
  const BootTree* t = Find(parts[0], parts[1], parts[2]);
  if (t == nullptr) {
    // Only a problem when the path is not a plain file under the root.
    *problem = "no boot tree " + parts[0] + "/" + parts[1] + " with kernel version " + parts[2];
    return std::nullopt;
  }
  if (!kernel && t->initrd.empty()) {
    *problem = "boot tree " + parts[0] + "/" + parts[1] + "/" + t->version + " has no initrd";
    return std::nullopt;
  }
  if (tree) *tree = t;
  return kernel ? t->kernel : t->initrd;
}

}  // namespace rackboot::bootd::standalone
