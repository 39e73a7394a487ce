#pragma once
// Per-machine boot scripts and install configs: iPXE (direct boot or an
// AutoPXE-style menu), GRUB, pxelinux, cloud-init / kickstart / preseed.
// Pure: an Assignment and the request facts in, text or an Error out.

#include <map>
#include <optional>
#include <string>

#include "bootd/assignments/assignment.h"
#include "bootd/render/template_renderer.h"
#include "common/net_address.h"
#include "common/result.h"

namespace rackboot::bootd::render {

struct ScriptRequest {
  MacAddress mac;                        // the MAC the client asked for
  std::optional<Ipv4Address> client_ip;  // the address the request came from
  std::string public_url;                // e.g. http://10.0.0.1:8080 (no trailing '/')
  std::string rack;
  std::map<std::string, std::string> environment;  // rack environment, {{env.nfs-server}}
  std::string config_token;                        // token for secret install configs; empty = no config URLs
  // Upstream (http/https) artifacts with a sha256 are served by bootd's
  // artifact cache: <public_url>/cached/<mac>/<sha256>/<name>.
  bool upstream_via_cache = false;
};

// Variables every template sees (the full list, per template kind, is the
// table in bootd/render/template_variables.h and docs/templates.md):
//   machine.{name,hostname,mac,mac_hex,ip,uuid,arch,firmware,rack}
//   params.<key>  env.<key>  profile  public_url  booted_url
//   configs.<name> (URL of each install config, with its token)  config_base
TemplateData MachineVariables(const Assignment& a, const ScriptRequest& req);

Result<std::string> RenderIpxeScript(const Assignment& a, const ScriptRequest& req);
Result<std::string> RenderGrubConfig(const Assignment& a, const ScriptRequest& req);
Result<std::string> RenderPxelinuxConfig(const Assignment& a, const ScriptRequest& req);
// `name` is a key of BootTarget::install_configs; its language follows the
// name (user-data, meta-data... -> YAML; *.ks -> kickstart; preseed* -> preseed).
// Secret parameters (Assignment::secret_parameters) are visible here as
// params.<name>, and only here: the boot scripts above never see them.
Result<std::string> RenderInstallConfig(const Assignment& a, const ScriptRequest& req, const std::string& name);
// Whether serving install config `name` needs the machine's token:
// always, unless the operator listed it in http.publicConfigs and it holds
// nothing secret (not from a Secret, and the machine has no secret
// parameters it could render).
bool NeedsConfigToken(const Assignment& a, const std::string& name, bool listed_public);
TargetLanguage InstallConfigLanguage(const std::string& name);
// The BootProfile field an install config comes from (user-data ->
// spec.install.cloudInit.userData), to name it in errors.
std::string InstallConfigField(const std::string& name);

// For MACs bootd does not know: a script that says so and exits, so the
// firmware falls through to its next boot device instead of looping.
std::string DiscoveryIpxeScript(const MacAddress& mac, const std::string& rack);
// The script for a known machine that may not netboot now (allowPXE false,
// no BootProfile, or bootOnce completed): says so and exits, so the
// firmware continues with its next boot device.
std::string NetbootOffIpxeScript(const MacAddress& mac, const std::string& machine_name);

// Built-in templates (used when the profile has none). The iPXE ones retry
// a failed kernel/initrd fetch up to kIpxeFetchAttempts times with a
// growing pause (1, 2, 3... s); an operator's own template gets exactly
// what it says.
constexpr int kIpxeFetchAttempts = 10;
extern const std::string kDefaultIpxeTemplate;
extern const std::string kDefaultIpxeMenuTemplate;
extern const char* const kDefaultGrubTemplate;
extern const char* const kDefaultPxelinuxTemplate;

}  // namespace rackboot::bootd::render
