#include "bootd/standalone/manifest_directory.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "bootd/agent/assignment_conversion.h"
#include "bootd/standalone/boot_tree.h"
#include "bootd/standalone/boot_tree_menu.h"
#include "resolve/host_assignment_resolver.h"
#include "resolve/profile_templates.h"

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

ManifestProblem Problem(const ManifestOrigin& o, const std::string& field, const std::string& what) {
  return {o.file, o.line, field, o.file + ":" + std::to_string(o.line) + ": " + what};
}

bool AnnotatedTrue(const std::map<std::string, std::string>& annotations, const char* key) {
  auto it = annotations.find(key);
  return it != annotations.end() && it->second == "true";
}

// The generated menu of a boot-tree-menu profile and its default entry.
struct TreeMenu {
  std::vector<MenuEntry> entries;
  std::string default_entry;
};

// Boot options of a boot-tree-menu profile: its bootable menu entries, or
// its own cmdline as the single unnamed option.
std::vector<BootOption> OptionsOf(const BootProfileManifest& p) {
  std::vector<BootOption> options;
  for (const ProfileMenuEntry& e : p.menu) {
    if (e.action == "boot") options.push_back({e.name, e.label, e.cmdline.value_or(p.cmdline)});
  }
  if (options.empty()) options.push_back({"", "", p.cmdline});
  return options;
}

// nullopt (with a problem) when the profile cannot have its menu.
std::optional<TreeMenu> MakeTreeMenu(const BootProfileManifest& p, const BootTreeIndex& index, const BootTree* own_tree,
                                     const std::string& artifact_root, std::vector<ManifestProblem>* problems) {
  const std::string what = "BootProfile " + p.name + ": ";
  const std::string field = std::string("metadata.annotations.") + kBootTreeMenuAnnotation;
  if (artifact_root.empty()) {
    problems->push_back(Problem(p.origin, field, what + "a boot-tree menu needs http.artifactRoot; profile skipped"));
    return std::nullopt;
  }
  TreeMenu m;
  const std::vector<BootOption> options = OptionsOf(p);
  std::vector<std::string> skipped;
  m.entries = BuildBootTreeMenu(index, options, &skipped);
  for (const std::string& tree : skipped) {
    problems->push_back(Problem(p.origin, field, what + "boot tree " + tree + "; left out of the menu"));
  }
  if (m.entries.empty()) {
    problems->push_back(Problem(p.origin, field, what + "no boot trees under " + artifact_root + "; profile skipped"));
    return std::nullopt;
  }
  // Default: the annotation, else the tree the profile's kernel names with
  // spec.menu.default (AutoPXE's DefaultDistro), else the first entry.
  std::string wanted;
  if (auto it = p.annotations.find(kMenuDefaultAnnotation); it != p.annotations.end()) {
    wanted = it->second;
  } else if (own_tree != nullptr) {
    wanted = own_tree->distro + "/" + own_tree->release + "/latest/" +
             (p.menu_default.empty() ? options.front().name : p.menu_default);
  }
  auto chosen = wanted.empty() ? std::nullopt : ResolveMenuDefault(m.entries, wanted);
  if (!wanted.empty() && !chosen) {
    problems->push_back(Problem(p.origin, std::string("metadata.annotations.") + kMenuDefaultAnnotation,
                                what + "no menu entry " + wanted + "; the first entry is the default"));
  }
  m.default_entry = chosen.value_or(m.entries.front().name);
  return m;
}

// Puts a profile's tree menu into an assignment, then the Machine's own
// default entry (AutoPXE's HostDefaults) when it names one.
void ApplyMenu(Assignment* a, const TreeMenu* tree_menu, const MachineManifest& m,
               std::vector<ManifestProblem>* problems) {
  if (tree_menu != nullptr) {
    a->boot.menu = tree_menu->entries;
    a->boot.menu_default = tree_menu->default_entry;
  }
  auto it = m.annotations.find(kMenuDefaultAnnotation);
  if (it == m.annotations.end()) return;
  if (auto chosen = ResolveMenuDefault(a->boot.menu, it->second)) {
    a->boot.menu_default = *chosen;
  } else {
    problems->push_back(Problem(
        m.origin, std::string("metadata.annotations.") + kMenuDefaultAnnotation,
        "Machine " + m.name + ": its profile's menu has no entry " + it->second + "; the profile's default is used"));
  }
}

// The default for unknown MACs: the one profile annotated as default.
void ResolveDefault(const std::map<std::string, BootProfileManifest>& profiles,
                    const std::map<std::string, BootTree>& profile_trees,
                    const std::map<std::string, TreeMenu>& tree_menus, const std::string& rack, ManifestLoad* out) {
  for (const auto& [key, p] : profiles) {
    if (!AnnotatedTrue(p.annotations, kDefaultProfileAnnotation)) continue;
    const std::string field = std::string("metadata.annotations.") + kDefaultProfileAnnotation;
    if (out->default_assignment) {
      out->problems.push_back(
          Problem(p.origin, field,
                  "BootProfile " + p.name + " is marked default too; only " + out->default_profile + " is used"));
      continue;
    }
    MachineManifest anyone;  // no name, no interfaces: any MAC
    anyone.origin = p.origin;
    anyone.rack = rack;
    anyone.hostname = "";
    anyone.boot_profile = p.name;
    if (auto t = profile_trees.find(key); t != profile_trees.end()) anyone.parameters = BootTreeParameters(t->second);
    // No install configs for unknown machines (see manifest_directory.h), so
    // none of the profile's Secret references is needed either.
    BootProfileManifest without_install = p;
    without_install.install = {};
    auto resolved = ResolveAssignment(anyone, &without_install);
    if (!resolved.ok()) {
      out->problems.push_back(
          Problem(p.origin, field, "BootProfile " + p.name + " cannot be the default: " + resolved.error().message));
      continue;
    }
    resolved->boot.install_configs.clear();
    resolved->boot.secret_install_configs.clear();
    auto menu = tree_menus.find(key);
    ApplyMenu(&resolved.value(), menu == tree_menus.end() ? nullptr : &menu->second, anyone, &out->problems);
    out->default_assignment = std::move(resolved.value());
    out->default_profile = p.name;
  }
}

}  // namespace

Result<v1alpha1::HostAssignment> ResolveHostAssignment(const MachineManifest& m, const BootProfileManifest* p,
                                                       const resolve::SecretData& secrets,
                                                       const resolve::ProvisionRecord* provisioned) {
  return resolve::ResolveHostAssignment(m.Identity(), m, p, {}, secrets, provisioned);
}

Result<Assignment> ResolveAssignment(const MachineManifest& m, const BootProfileManifest* p,
                                     const resolve::SecretData& secrets, const resolve::ProvisionRecord* provisioned) {
  auto host = ResolveHostAssignment(m, p, secrets, provisioned);
  if (!host.ok()) return host.error();
  return agent::ConvertHostAssignment(*host);
}

ManifestLoad LoadManifestDirectory(const std::string& dir, const std::string& rack, const std::string& artifact_root,
                                   const ProvisionedRecords::Map* provisioned) {
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
  std::map<std::string, resolve::SecretData> secrets;   // namespace -> its labelled Secrets
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
        if (parsed.secret) {
          const SecretManifest& sec = *parsed.secret;
          if (!sec.labelled) {
            // The controller's informer would not see it either: one set of
            // YAML behaves the same through both doors.
            out.problems.push_back({sec.file, sec.line, "metadata.labels",
                                    sec.file + ":" + std::to_string(sec.line) + ": Secret " + sec.name +
                                        " has no label " + resolve::kSecretLabel +
                                        ": \"true\"; rackboot does not read it"});
          } else {
            secrets[sec.namespace_][sec.name] = sec.data;
          }
        }
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
  BootTreeIndex index;
  if (!artifact_root.empty()) {
    index = BootTreeIndex::Scan(artifact_root);
    out.boot_trees = index.trees().size();
    for (auto it = profiles.begin(); it != profiles.end();) {
      BootProfileManifest& p = it->second;
      std::string problem;
      std::vector<resolve::ProfileArtifact*> artifacts{&p.kernel};
      for (auto& i : p.initrds) artifacts.push_back(&i);
      for (resolve::ProfileArtifact* a : artifacts) {
        if (a->path.empty()) continue;  // an http(s) upstream
        std::error_code ec;
        if (fs::exists(fs::path(artifact_root) / a->path, ec)) continue;  // a plain file wins
        const BootTree* tree = nullptr;
        std::string why;
        if (auto resolved = index.ResolvePath(a->path, &tree, &why)) {
          a->path = *resolved;
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
  std::map<std::string, TreeMenu> tree_menus;
  for (auto it = profiles.begin(); it != profiles.end();) {
    if (!AnnotatedTrue(it->second.annotations, kBootTreeMenuAnnotation)) {
      ++it;
      continue;
    }
    auto own = profile_trees.find(it->first);
    auto menu = MakeTreeMenu(it->second, index, own == profile_trees.end() ? nullptr : &own->second, artifact_root,
                             &out.problems);
    if (menu) {
      tree_menus[it->first] = std::move(*menu);
      ++it;
    } else {
      it = profiles.erase(it);
    }
  }
  // Strict templates: a profile naming a variable bootd does not provide is
  // skipped with a problem per template (its Machines then report it as not
  // found), never served with empty strings.
  for (auto it = profiles.begin(); it != profiles.end();) {
    const BootProfileManifest& p = it->second;
    std::vector<resolve::TemplateProblem> bad = resolve::ProfileTemplateProblems(p.name, p);
    for (const auto& t : bad) {
      out.problems.push_back(
          {p.origin.file, p.origin.line, t.field,
           p.origin.file + ":" + std::to_string(p.origin.line) + ": " + t.message + "; profile skipped"});
    }
    it = bad.empty() ? std::next(it) : profiles.erase(it);
  }
  out.profiles = profiles.size();

  std::set<std::string> names;
  std::map<MacAddress, std::string> mac_owner;
  for (const MachineManifest& m : machines) {
    const std::string where = m.origin.file + ":" + std::to_string(m.origin.line) + ": Machine " + m.name;
    if (!rack.empty() && m.rack != rack) continue;  // another bootd's machine
    const BootProfileManifest* profile = nullptr;
    if (!m.boot_profile.empty()) {
      auto pit = profiles.find(m.namespace_ + "/" + m.boot_profile);
      if (pit == profiles.end()) {
        out.problems.push_back({m.origin.file, m.origin.line, "spec.bootProfileRef.name",
                                where + ": BootProfile " + m.boot_profile + " not found; machine skipped"});
        continue;
      }
      profile = &pit->second;
    }
    MachineManifest with_tree = m;
    if (profile != nullptr) {
      if (auto t = profile_trees.find(m.namespace_ + "/" + m.boot_profile); t != profile_trees.end()) {
        // Facts of the boot tree; values the Machine sets itself win.
        for (auto [k, v] : BootTreeParameters(t->second)) with_tree.parameters.emplace(k, v);
      }
    }
    auto ns_secrets = secrets.find(m.namespace_);
    const resolve::ProvisionRecord* booted = nullptr;
    if (provisioned != nullptr) {
      auto rec = provisioned->find(m.Identity().Key());
      if (rec != provisioned->end()) booted = &rec->second;
    }
    auto resolved = ResolveAssignment(with_tree, profile,
                                      ns_secrets == secrets.end() ? resolve::SecretData{} : ns_secrets->second, booted);
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
    auto menu = profile ? tree_menus.find(m.namespace_ + "/" + m.boot_profile) : tree_menus.end();
    ApplyMenu(&resolved.value(), menu == tree_menus.end() ? nullptr : &menu->second, m, &out.problems);
    out.assignments.push_back(std::move(resolved.value()));
  }
  ResolveDefault(profiles, profile_trees, tree_menus, rack, &out);
  return out;
}

}  // namespace rackboot::bootd::standalone
