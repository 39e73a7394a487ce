#pragma once
// VirtualFileProvider: files TFTP serves from rendered content instead of
// the disk -- per-machine pxelinux.cfg/01-<mac>, the UUID / hex-IP / default
// lookup chain, GRUB's grub.cfg-01-<mac> (see boot_config_path.h for the
// names). The renderer (bootd/render) implements it; TFTP asks it first and
// falls back to the TFTP root when it returns nothing.

#include <optional>
#include <string>

#include "common/net_address.h"

namespace rackboot::bootd::tftp {

class VirtualFileProvider {
 public:
  virtual ~VirtualFileProvider() = default;
  // `path` is the normalized request path, relative to the root, without a
  // leading '/' (e.g. "pxelinux.cfg/01-52-54-00-12-34-56"). Called on the
  // TFTP I/O thread: must be thread-safe and quick. nullopt = not virtual.
  virtual std::optional<std::string> Render(const std::string& path, Ipv4Address client_ip) = 0;
};

// The default until the renderer is connected: nothing is virtual.
class NoVirtualFiles : public VirtualFileProvider {
 public:
  std::optional<std::string> Render(const std::string&, Ipv4Address) override { return std::nullopt; }
};

}  // namespace rackboot::bootd::tftp
