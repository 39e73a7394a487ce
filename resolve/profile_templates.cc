#include "resolve/profile_templates.h"

#include "bootd/render/template_check.h"

namespace rackboot::resolve {

using bootd::render::TemplateKind;

std::vector<TemplateProblem> ProfileTemplateProblems(const std::string& profile_name, const BootProfileSpec& p,
                                                     const std::map<std::string, std::string>* params) {
  bootd::render::TemplateKeys keys;
  if (params != nullptr) {
    keys.params.emplace();
    for (const auto& [k, v] : *params) keys.params->insert(k);
  } else {
    // Parameters the profile declares: only for "did you mean" hints.
    for (const ProfileParameter& d : p.parameters) keys.param_hints.insert(d.name);
  }
  // The install configs the profile has, inline or from a Secret, are the
  // only configs.<name> keys (same names as the resolver serves them under).
  keys.configs.emplace();
  if (const auto& ci = p.install.cloud_init) {
    keys.configs->insert("user-data");
    if (ci->meta_data || ci->meta_data_secret) keys.configs->insert("meta-data");
    if (ci->vendor_data || ci->vendor_data_secret) keys.configs->insert("vendor-data");
    if (ci->network_config || ci->network_config_secret) keys.configs->insert("network-config");
  }
  if (p.install.kickstart || p.install.kickstart_secret) keys.configs->insert("kickstart");
  if (p.install.preseed || p.install.preseed_secret) keys.configs->insert("preseed");

  std::vector<TemplateProblem> problems;
  auto check = [&](const std::string& tmpl, TemplateKind kind, const std::string& field) {
    if (tmpl.empty()) return;
    Status s = bootd::render::CheckTemplateVariables(tmpl, kind, keys);
    if (!s.ok()) problems.push_back({field, "BootProfile " + profile_name + ": " + field + " " + s.message()});
  };
  check(p.cmdline, TemplateKind::kCmdline, "spec.cmdline");
  for (const ProfileMenuEntry& e : p.menu) {
    if (e.cmdline) check(*e.cmdline, TemplateKind::kCmdline, "spec.menu.entries[" + e.name + "].cmdline");
  }
  // With a menu, spec.templates.ipxe renders the menu (bootd/render).
  check(p.ipxe_template, p.menu.empty() ? TemplateKind::kLoader : TemplateKind::kIpxeMenu, "spec.templates.ipxe");
  check(p.grub_template, TemplateKind::kLoader, "spec.templates.grub");
  check(p.pxelinux_template, TemplateKind::kLoader, "spec.templates.pxelinux");
  if (p.install.cloud_init) {
    const CloudInitConfig& c = *p.install.cloud_init;
    check(c.user_data, TemplateKind::kInstallConfig, "spec.install.cloudInit.userData");
    if (c.meta_data) check(*c.meta_data, TemplateKind::kInstallConfig, "spec.install.cloudInit.metaData");
    if (c.vendor_data) check(*c.vendor_data, TemplateKind::kInstallConfig, "spec.install.cloudInit.vendorData");
    if (c.network_config) {
      check(*c.network_config, TemplateKind::kInstallConfig, "spec.install.cloudInit.networkConfig");
    }
  }
  if (p.install.kickstart) check(*p.install.kickstart, TemplateKind::kInstallConfig, "spec.install.kickstart");
  if (p.install.preseed) check(*p.install.preseed, TemplateKind::kInstallConfig, "spec.install.preseed");
  return problems;
}

}  // namespace rackboot::resolve
