#include "bootd/dhcp/boot_answer.h"

#include <algorithm>

#include "bootd/dhcp/option_codes.h"
#include "bootd/dhcp/options.h"
#include "bootd/mac_in_url.h"

namespace rackboot::bootd::dhcp {
namespace {

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Per-machine override first (some NICs need snponly.efi), then the rack's
// default for the class.
std::string BootFileFor(const BootdConfig& config, const std::string& cls, const Assignment& a) {
  if (cls.empty()) return "";
  if (auto it = a.boot_file_overrides.find(cls); it != a.boot_file_overrides.end()) return it->second;
  // Machine manifests may also override per architecture only ("x86_64").
  if (auto it = a.boot_file_overrides.find(cls.substr(0, cls.find('-'))); it != a.boot_file_overrides.end()) {
    return it->second;
  }
  if (auto it = config.dhcp.boot_files.find(cls); it != config.dhcp.boot_files.end()) return it->second;
  return "";
}

std::nullopt_t NoAnswer(std::string* why, const char* reason) {
  if (why) *why = reason;
  return std::nullopt;
}

}  // namespace

std::string IpxeScriptUrl(const BootdConfig& config, const MacAddress& mac) {
  return TrimSlash(config.http.public_url) + "/ipxe/" + MacInUrl(mac);
}

std::optional<BootAnswer> ChooseBootAnswer(const BootdConfig& config, const ClientInfo& client,
                                           const Assignment* assignment, std::string* why) {
  if (client.kind == BootClientKind::kNone) return NoAnswer(why, "not a boot client");
  if (!assignment) return NoAnswer(why, "unknown machine");
  if (!assignment->allow_pxe) return NoAnswer(why, "booting disabled");

  BootAnswer a;
  a.next_server = config.dhcp.server_address;
  // PXE 2.1 §2.2.6: a reply to a PXE client carries option 60 "PXEClient".
  if (client.pxe_vendor_class) a.vendor_class = "PXEClient";
  switch (client.kind) {
    case BootClientKind::kIpxe:
      if (config.http.public_url.empty()) return NoAnswer(why, "http.publicUrl not set");
      a.file = IpxeScriptUrl(config, client.mac);
      a.ipxe_no_proxy_wait = config.dhcp.ipxe_no_proxy_wait;
      a.detail = "ipxe-script";
      break;
    case BootClientKind::kUefiHttp: {
      // UEFI 2.x §24.7: the reply must carry option 60 "HTTPClient" and a URL.
      std::string file = BootFileFor(config, client.class_name(), *assignment);
      if (file.empty()) return NoAnswer(why, "no boot file for this architecture");
      if (config.http.public_url.empty()) return NoAnswer(why, "http.publicUrl not set");
      a.file = file.rfind("http://", 0) == 0 ? file : TrimSlash(config.http.public_url) + "/artifacts/" + file;
      a.vendor_class = "HTTPClient";
      a.detail = "http:" + client.class_name();
      break;
    }
    case BootClientKind::kFirmwarePxe: {
      std::string file = BootFileFor(config, client.class_name(), *assignment);
      if (file.empty()) return NoAnswer(why, "no boot file for this architecture");
      a.file = file;
      a.pxe_vendor_options = true;
      // Only the firmware ROM: iPXE would enter a PXE menu in preference
      // to its script (iPXE's pxe_menu_boot).
      a.pxe_menu = config.dhcp.pxe_menu;
      a.detail = "tftp:" + client.class_name();
      break;
    }
    case BootClientKind::kNone: break;
  }
  // PXE clients also get option 43 in the iPXE stage: harmless, and ROMs that
  // are "iPXE" by user class but PXE by behaviour still see bit 3.
  if (client.pxe_vendor_class) a.pxe_vendor_options = true;
  return a;
}

std::string EncodePxeBootMenu(const PxeMenuConfig& menu) {
  std::string out;
  for (const PxeMenuItem& item : menu.items) {
    const size_t len = std::min<size_t>(item.description.size(), 255);
    out.push_back(static_cast<char>(item.type >> 8));
    out.push_back(static_cast<char>(item.type & 0xff));
    out.push_back(static_cast<char>(len));
    out.append(item.description, 0, len);
  }
  return out;
}

std::string EncodePxeMenuPrompt(const PxeMenuConfig& menu) {
  return std::string(1, static_cast<char>(menu.timeout_seconds)) + menu.prompt;
}

void ApplyBootAnswer(const BootAnswer& answer, Packet4& reply) {
  // iPXE ignores a ProxyDHCP answer whose siaddr is 0.0.0.0 and loops on
  // port 4011 (pxe-lab-facts.md): siaddr is always set.
  reply.siaddr = answer.next_server;
  reply.sname = answer.next_server.ToString();
  reply.file = answer.file.size() <= kFileSize - 1 ? answer.file : "";  // long URLs live in option 67 only
  reply.Set(kOptTftpServerName, answer.next_server.ToString());
  reply.Set(kOptBootfileName, answer.file);
  if (!answer.vendor_class.empty()) reply.Set(kOptVendorClass, answer.vendor_class);
  if (answer.pxe_vendor_options) {
    OptionSubOptions pxe;
    pxe.items.emplace_back(kPxeDiscoveryControl, std::string(1, static_cast<char>(kPxeDiscoveryUseBootFile)));
    if (!answer.pxe_menu.items.empty()) {
      pxe.items.emplace_back(kPxeBootMenu, EncodePxeBootMenu(answer.pxe_menu));
      if (!answer.pxe_menu.prompt.empty()) pxe.items.emplace_back(kPxeMenuPrompt, EncodePxeMenuPrompt(answer.pxe_menu));
    }
    reply.Set(kOptVendorSpecific, pxe.Serialize() + std::string(1, static_cast<char>(kOptEnd)));
  }
  if (answer.ipxe_no_proxy_wait) {
    OptionSubOptions ipxe;
    ipxe.items.emplace_back(kIpxeNoPxeDhcp, std::string(1, '\x01'));
    reply.Set(kOptIpxeEncap, ipxe.Serialize());
  }
}

}  // namespace rackboot::bootd::dhcp
