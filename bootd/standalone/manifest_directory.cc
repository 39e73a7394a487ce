#include "bootd/standalone/manifest_directory.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "bootd/standalone/boot_tree.h"

namespace rackboot::bootd::standalone {
namespace {

namespace fs = std::filesystem;

bool IsManifestFile(const fs::directory_entry& e) {
  const std::string name = e.path().filename().string();
  if (name.empty() || name[0] == '.' || name.back() == '~') return false;
  const std::string ext = e.path().extension().string();
  std::error_code ec;
  return (ext == ".yaml" || ext == ".yml") && e.is_regular_file(ec);
}

ManifestProblem FromConfigError(const ConfigError& e) {
  return ManifestProblem{e.file(), e.line(), e.field(), e.what()};
}

}  // namespace

Result<Assignment> ResolveAssignment(const MachineManifest& m, const BootProfileManifest* p) {
  Assignment a;
  a.machine_name = m.namespace_.empty() ? m.name : m.namespace_ + "/" + m.name;
  a.rack = m.rack;
  a.hostname = m.hostname;
  a.interfaces = m.interfaces;
  a.uuid = m.uuid;
  a.architecture = m.architecture;
  a.firmware = m.firmware;
  a.allow_pxe = m.allow_pxe;
  a.boot_once = m.boot_once;
  a.boot_file_overrides = m.boot_file_overrides;
  if (p == nullptr) {
    // Known but with nothing to boot: DHCP still leases, nobody gets a file.
    a.parameters = m.parameters;
    a.allow_pxe = false;
    return a;
  }
  // Profile defaults first, the Machine's values override them.
  for (const ProfileParameter& param : p->parameters) {
    if (param.default_value) a.parameters[param.name] = *param.default_value;
  }
  for (const auto& [k, v] : m.parameters) a.parameters[k] = v;
  for (const ProfileParameter& param : p->parameters) {
    if (param.required && !a.parameters.count(param.name)) {
      return Error{"parameter '" + param.name + "' is required by BootProfile " + p->name + " but not set"};
    }
  }
  BootTarget& t = a.boot;
  t.profile_name = p->name;
  t.kernel = p->kernel;
  t.initrds = p->initrds;
  t.cmdline_template = p->cmdline;
  t.ipxe_template = p->ipxe_template;
  t.grub_template = p->grub_template;
  t.pxelinux_template = p->pxelinux_template;
  t.install_configs = p->install_configs;
  for (const ProfileMenuEntry& e : p->menu) {
    // Assignments carry bootable entries only (as the controller's
    // HostAssignment does); localboot/shell are left to the boot loader.
    if (e.action != "boot") continue;
    MenuEntry me;
    me.name = e.name;
    me.label = e.label;
    me.kernel = p->kernel;
    me.initrds = p->initrds;
    me.cmdline_template = e.cmdline.value_or(p->cmdline);
    t.menu.push_back(std::move(me));
  }
  t.menu_default = p->menu_default;
  t.menu_timeout_seconds = p->menu_timeout_seconds;
  return a;
}

ManifestLoad LoadManifestDirectory(const std::string& dir, const std::string& rack, const std::string& artifact_root) {
  ManifestLoad out;
  std::vector<fs::path> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    out.problems.push_back({dir, 0, "", dir + ": cannot read manifest directory: " + ec.message()});
    return out;
  }
  for (const auto& e : it) {
    if (IsManifestFile(e)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  std::vector<MachineManifest> machines;
  std::map<std::string, BootProfileManifest> profiles;  // "namespace/name"
  for (const fs::path& f : files) {
    ++out.files;
    std::vector<YAML::Node> docs;
    try {
      docs = LoadYamlDocuments(f.string());
    } catch (const ConfigError& e) {
      out.problems.push_back(FromConfigError(e));
      continue;
    }
    for (const YAML::Node& doc : docs) {
      if (doc.IsNull()) continue;  // empty document between "---" separators
      try {
        ParsedManifest parsed = ParseManifest(doc, f.string());
        if (parsed.machine) machines.push_back(std::move(*parsed.machine));
        if (parsed.profile) {
          std::string key = parsed.profile->namespace_ + "/" + parsed.profile->name;
          if (profiles.count(key)) {
            const auto& o = parsed.profile->origin;
            out.problems.push_back({o.file, o.line, "metadata.name",
                                    o.file + ":" + std::to_string(o.line) + ": BootProfile " + parsed.profile->name +
                                        " is defined twice; the first one is kept"});
            continue;
          }
          profiles.emplace(key, std::move(*parsed.profile));
        }
      } catch (const ConfigError& e) {
        out.problems.push_back(FromConfigError(e));
      }
    }
  }
  std::map<std::string, BootTree> profile_trees;
  if (!artifact_root.empty()) {
    BootTreeIndex index = BootTreeIndex::Scan(artifact_root);
    out.boot_trees = index.trees().size();
    for (auto it = profiles.begin(); it != profiles.end();) {
      BootProfileManifest& p = it->second;
      std::string problem;
      std::vector<BootArtifact*> artifacts{&p.kernel};
      for (auto& i : p.initrds) artifacts.push_back(&i);
      for (BootArtifact* a : artifacts) {
        if (a->url.rfind("http://", 0) == 0 || a->url.rfind("https://", 0) == 0) continue;
        std::error_code ec;
        if (fs::exists(fs::path(artifact_root) / a->url, ec)) continue;  // a plain file wins
        const BootTree* tree = nullptr;
        std::string why;
        if (auto resolved = index.ResolvePath(a->url, &tree, &why)) {
          a->url = *resolved;
          profile_trees[it->first] = *tree;
        } else if (!why.empty()) {
          problem = why;
        }
      }
      if (!problem.empty()) {
        out.problems.push_back({p.origin.file, p.origin.line, "spec.kernel",
                                p.origin.file + ":" + std::to_string(p.origin.line) + ": BootProfile " + p.name + ": " +
                                    problem + " under " + artifact_root + "; profile skipped"});
        it = profiles.erase(it);
      } else {
        ++it;
      }
    }
  }
  out.profiles = profiles.size();

  std::set<std::string> names;
  std::map<MacAddress, std::string> mac_owner;
  for (const MachineManifest& m : machines) {
    const std::string where = m.origin.file + ":" + std::to_string(m.origin.line) + ": Machine " + m.name;
    if (!rack.empty() && m.rack != rack) continue;  // another bootd's machine
    const BootProfileManifest* profile = nullptr;
    if (!m.profile_name.empty()) {
      auto pit = profiles.find(m.namespace_ + "/" + m.profile_name);
      if (pit == profiles.end()) {
        out.problems.push_back({m.origin.file, m.origin.line, "spec.bootProfileRef.name",
                                where + ": BootProfile " + m.profile_name + " not found; machine skipped"});
        continue;
      }
      profile = &pit->second;
    }
    MachineManifest with_tree = m;
    if (profile != nullptr) {
      if (auto t = profile_trees.find(m.namespace_ + "/" + m.profile_name); t != profile_trees.end()) {
        // Facts of the boot tree; values the Machine sets itself win.
        for (auto [k, v] : std::map<std::string, std::string>{{"boot_distro", t->second.distro},
                                                              {"boot_release", t->second.release},
                                                              {"kernel_version", t->second.version},
                                                              {"rootfs_path", t->second.rootfs_path}}) {
          with_tree.parameters.emplace(k, v);
        }
      }
    }
    auto resolved = ResolveAssignment(with_tree, profile);
    if (!resolved.ok()) {
      out.problems.push_back(
          {m.origin.file, m.origin.line, "spec.parameters", where + ": " + resolved.error().message + "; skipped"});
      continue;
    }
    if (!names.insert(resolved->machine_name).second) {
      out.problems.push_back(
          {m.origin.file, m.origin.line, "metadata.name", where + " is defined twice; the first one is kept"});
      continue;
    }
    std::string clash;
    for (const auto& i : resolved->interfaces) {
      auto owner = mac_owner.find(i.mac);
      if (owner != mac_owner.end()) clash = "MAC " + i.mac.ToString() + " already belongs to " + owner->second;
    }
    if (!clash.empty()) {
      out.problems.push_back({m.origin.file, m.origin.line, "spec.interfaces", where + ": " + clash + "; skipped"});
      continue;
    }
    for (const auto& i : resolved->interfaces) mac_owner.emplace(i.mac, resolved->machine_name);
    out.assignments.push_back(std::move(resolved.value()));
  }
  return out;
}

}  // namespace rackboot::bootd::standalone
