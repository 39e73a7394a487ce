#include "bootd/tftp/boot_config_path.h"

#include <cctype>
#include <cstdio>

namespace rackboot::bootd::tftp {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool AllHex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// "01-aa-bb-cc-dd-ee-ff" (ARP hardware type 1 = Ethernet).
std::optional<MacAddress> ParseTypedMac(std::string_view s) {
  if (s.size() != 20 || s.substr(0, 3) != "01-") return std::nullopt;
  for (size_t i = 3; i < s.size(); ++i) {
    if ((i - 3) % 3 == 2 ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  return MacAddress::Parse(s.substr(3));
}

std::optional<BootConfigPath> Classify(BootConfigPath::Loader loader, std::string_view key) {
  BootConfigPath p;
  p.loader = loader;
  if (key == "default") {
    p.key = BootConfigPath::Key::kDefault;
  } else if (auto mac = ParseTypedMac(key)) {
    p.key = BootConfigPath::Key::kMac;
    p.mac = *mac;
  } else if (IsUuid(key)) {
    p.key = BootConfigPath::Key::kUuid;
    p.uuid = std::string(key);
  } else if (!key.empty() && key.size() <= 8 && AllHex(key)) {
    p.key = BootConfigPath::Key::kHexIp;
    for (char c : key) p.hex_ip.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  } else {
    return std::nullopt;
  }
  return p;
}

}  // namespace

std::optional<BootConfigPath> ParseBootConfigPath(std::string_view normalized_path) {
  const std::string path = Lower(normalized_path);
  constexpr std::string_view kPxelinux = "pxelinux.cfg/";
  constexpr std::string_view kGrub = "grub.cfg";
  if (path.rfind(kPxelinux, 0) == 0) {
    return Classify(BootConfigPath::Loader::kPxelinux, std::string_view(path).substr(kPxelinux.size()));
  }
  // GRUB may look in a prefix directory ("grub/grub.cfg-01-..."), so match the last component.
  const size_t slash = path.rfind('/');
  const std::string_view base = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  if (base == kGrub) return Classify(BootConfigPath::Loader::kGrub, "default");
  if (base.rfind("grub.cfg-", 0) == 0) return Classify(BootConfigPath::Loader::kGrub, base.substr(kGrub.size() + 1));
  return std::nullopt;
}

bool HexIpMatches(std::string_view hex_ip, Ipv4Address ip) {
  char full[9];
  std::snprintf(full, sizeof full, "%08X", ip.value());
  return !hex_ip.empty() && hex_ip.size() <= 8 && std::string_view(full).substr(0, hex_ip.size()) == hex_ip;
}

}  // namespace rackboot::bootd::tftp
