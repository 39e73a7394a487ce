#pragma once
// Recognizes the per-machine config names bootloaders ask TFTP for, so a
// VirtualFileProvider can map a request to a machine. Pure.
//
// pxelinux (syslinux wiki "PXELINUX", seed 001), in the order it tries them:
//   pxelinux.cfg/<uuid>                 b8945908-d6a6-41a9-611d-74a6ab80b83d
//   pxelinux.cfg/01-<mac with dashes>   01-88-99-aa-bb-cc-dd (01 = ARP type Ethernet)
//   pxelinux.cfg/<hex ip>, shortened    C0A8025B, C0A8025, ..., C
//   pxelinux.cfg/default
// GRUB 2 (grub_net "net_default_*" config search):
//   grub.cfg-01-<mac>, grub.cfg-<hex ip> shortened, grub.cfg
// Names are matched case-insensitively; the leading '/' is already gone.

#include <optional>
#include <string>
#include <string_view>

#include "common/net_address.h"

namespace rackboot::bootd::tftp {

struct BootConfigPath {
  enum class Loader { kPxelinux, kGrub };
  enum class Key { kUuid, kMac, kHexIp, kDefault };
  Loader loader = Loader::kPxelinux;
  Key key = Key::kDefault;
  MacAddress mac;      // kMac
  std::string uuid;    // kUuid, lowercase
  std::string hex_ip;  // kHexIp, uppercase, 1..8 hex digits (an IP prefix)
};

std::optional<BootConfigPath> ParseBootConfigPath(std::string_view normalized_path);

// True when `hex_ip` (as in BootConfigPath) is a prefix of the address's
// 8-digit hex form, i.e. the client at `ip` could ask for this name.
bool HexIpMatches(std::string_view hex_ip, Ipv4Address ip);

}  // namespace rackboot::bootd::tftp
