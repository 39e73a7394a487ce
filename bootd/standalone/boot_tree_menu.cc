#include "bootd/standalone/boot_tree_menu.h"

#include <set>

#include "bootd/render/value_escaping.h"

namespace rackboot::bootd::standalone {
namespace {

std::string LabelPart(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + 1) {
    parts.push_back(s.substr(start, pos - start));
  }
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

std::map<std::string, std::string> BootTreeParameters(const BootTree& tree) {
  return {{"boot_distro", tree.distro},
          {"boot_release", tree.release},
          {"kernel_version", tree.version},
          {"rootfs_path", tree.rootfs_path}};
}

std::string BootTreeEntryName(const std::string& distro, const std::string& release, const std::string& option) {
  std::string name = LabelPart(distro) + "-" + LabelPart(release) + "-latest";
  if (!option.empty()) name += "-" + LabelPart(option);
  return name;
}

std::vector<MenuEntry> BuildBootTreeMenu(const BootTreeIndex& index, const std::vector<BootOption>& options,
                                         std::vector<std::string>* skipped) {
  std::vector<MenuEntry> menu;
  std::set<std::string> names;
  const std::vector<BootTree>& trees = index.trees();
  for (size_t i = 0; i < trees.size(); ++i) {
    const BootTree& t = trees[i];
    // Sorted by distro, release, version: the last of a release is "latest".
    const bool last_of_release =
        i + 1 == trees.size() || trees[i + 1].distro != t.distro || trees[i + 1].release != t.release;
    if (!last_of_release) continue;
    std::string unsafe;
    for (const std::string& v : {t.distro, t.release, t.version, t.kernel, t.initrd, t.rootfs_path}) {
      if (auto ok = render::EscapeValue(render::TargetLanguage::kIpxe, v); !ok.ok()) unsafe = ok.error().message;
    }
    if (!unsafe.empty()) {
      if (skipped) skipped->push_back(t.distro + "/" + t.release + "/" + t.version + ": " + unsafe);
      continue;
    }
    for (const BootOption& o : options) {
      MenuEntry e;
      e.name = BootTreeEntryName(t.distro, t.release, o.name);
      // Two trees whose names differ only in replaced characters.
      for (int n = 2; names.count(e.name); ++n)
        e.name = BootTreeEntryName(t.distro, t.release, o.name) + "_" + std::to_string(n);
      names.insert(e.name);
      e.label = t.distro + "/" + t.release + "/latest (" + t.version + ")" +
                (o.label.empty() ? (o.name.empty() ? "" : " " + o.name) : " " + o.label);
      e.kernel.url = t.kernel;
      if (!t.initrd.empty()) e.initrds.push_back(BootArtifact{t.initrd, ""});
      e.cmdline_template = o.cmdline_template;
      e.parameters = BootTreeParameters(t);
      menu.push_back(std::move(e));
    }
  }
  return menu;
}

std::optional<std::string> ResolveMenuDefault(const std::vector<MenuEntry>& menu, const std::string& wanted) {
  for (const MenuEntry& e : menu) {
    if (e.name == wanted) return e.name;
  }
  std::vector<std::string> parts = Split(wanted, '/');
  if ((parts.size() == 3 || parts.size() == 4) && parts[2] == "latest") {
    // Without an option: the tree's first entry ('-' only ever separates parts).
    const std::string name = BootTreeEntryName(parts[0], parts[1], parts.size() == 4 ? parts[3] : "");
    for (const MenuEntry& e : menu) {
      if (e.name == name || (parts.size() == 3 && e.name.rfind(name + "-", 0) == 0)) return e.name;
    }
  }
  return std::nullopt;
}

}  // namespace rackboot::bootd::standalone
