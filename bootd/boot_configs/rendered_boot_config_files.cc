#include "bootd/boot_configs/rendered_boot_config_files.h"

#include "bootd/render/machine_scripts.h"
#include "bootd/tftp/boot_config_path.h"
#include "common/log.h"

namespace rackboot::bootd {

RenderedBootConfigFiles::RenderedBootConfigFiles(Options options, const AssignmentStore& assignments,
                                                 BootEventRecorder* events)
    : options_(std::move(options)), assignments_(assignments), events_(events) {}

AssignmentStore::Ptr RenderedBootConfigFiles::FindByClientIp(Ipv4Address ip) const {
  if (ip.IsZero()) return nullptr;
  for (const auto& a : assignments_.All()) {
    for (const auto& i : a->interfaces) {
      if (i.ipv4 && *i.ipv4 == ip) return a;
    }
  }
  return nullptr;
}

std::optional<std::string> RenderedBootConfigFiles::Render(const std::string& path, Ipv4Address client_ip) {
  auto name = tftp::ParseBootConfigPath(path);
  if (!name) return std::nullopt;

  AssignmentStore::Ptr a;
  MacAddress mac;
  switch (name->key) {
    case tftp::BootConfigPath::Key::kMac:
      a = assignments_.FindByMac(name->mac);
      mac = name->mac;
      break;
    case tftp::BootConfigPath::Key::kUuid: a = assignments_.FindByUuid(name->uuid); break;
    case tftp::BootConfigPath::Key::kHexIp:
      if (tftp::HexIpMatches(name->hex_ip, client_ip)) a = FindByClientIp(client_ip);
      break;
    case tftp::BootConfigPath::Key::kDefault: a = FindByClientIp(client_ip); break;
  }
  if (!a || !a->allow_pxe) return std::nullopt;
  if (name->key != tftp::BootConfigPath::Key::kMac) {
    // The interface that matched (UUID / IP lookups): prefer the primary.
    const InterfaceAssignment* chosen = nullptr;
    for (const auto& i : a->interfaces) {
      if ((i.ipv4 && *i.ipv4 == client_ip) || (!chosen && i.primary)) chosen = &i;
    }
    if (!chosen && !a->interfaces.empty()) chosen = &a->interfaces.front();
    if (chosen) mac = chosen->mac;
  }

  render::ScriptRequest req;
  req.mac = mac;
  if (!client_ip.IsZero()) req.client_ip = client_ip;
  req.public_url = options_.public_url;
  req.rack = options_.rack;
  req.environment = options_.environment;
  const bool grub = name->loader == tftp::BootConfigPath::Loader::kGrub;
  Result<std::string> out = grub ? render::RenderGrubConfig(*a, req) : render::RenderPxelinuxConfig(*a, req);
  if (!out.ok()) {
    log::Error("tftp", "boot config render failed",
               {{"mac", mac.ToString()}, {"stage", "script"}, {"path", path}, {"error", out.error().message}});
    if (events_) {
      BootEvent ev;
      ev.mac = mac;
      ev.machine_name = a->machine_name;
      ev.stage = BootStage::kError;
      ev.detail = std::string(grub ? "grub" : "pxelinux") + " config render failed: " + out.error().message;
      events_->Record(ev);
    }
    // Not virtual: a broken template must not turn into a half-written
    // config; the loader falls through to its next name.
    return std::nullopt;
  }
  if (events_) {
    BootEvent ev;
    ev.mac = mac;
    ev.machine_name = a->machine_name;
    ev.stage = BootStage::kScript;
    ev.bytes = out->size();
    ev.detail = path;
    events_->Record(ev);
  }
  return std::move(out).value();
}

}  // namespace rackboot::bootd
