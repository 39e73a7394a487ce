#pragma once
// The one spelling of a MAC in every URL bootd writes (the iPXE script URL
// DHCP hands out, /boot/, /cached/, /booted/, /config/ in scripts and
// install configs): lowercase with dashes, aa-bb-cc-dd-ee-ff. Dashes need
// no quoting in a URL path, a shell, a GRUB path or a kernel command line,
// and they match pxelinux's "01-aa-bb-..." names and iPXE's ${mac:hexhyp}.
// On input every route accepts colons, dashes or 12 hex digits, in either
// case (http::ParseMacFromPath).

#include <string>

#include "common/net_address.h"

namespace rackboot::bootd {

inline std::string MacInUrl(const MacAddress& mac) {
  return mac.ToString('-');
}

}  // namespace rackboot::bootd
