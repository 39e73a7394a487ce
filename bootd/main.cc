// bootd: the per-rack boot server (DHCP, TFTP, HTTP). See docs/architecture.md.

#include <cstdio>
#include <cstring>
#include <string>

#include "bootd/config/bootd_config.h"
#include "common/log.h"
#include "common/version.h"
#include "common/yaml_config.h"

namespace {

constexpr const char* kUsage =
    "Usage: bootd --config FILE [--check-config]\n"
    "\n"
    "The per-rack boot server of rackboot: DHCPv4 (server or ProxyDHCP), TFTP,\n"
    "HTTP, per-machine boot scripts.\n"
    "\n"
    "Options:\n"
    "  --config FILE    bootd configuration (YAML); see deploy/examples/bootd.yaml\n"
    "  --check-config   validate the configuration, print a summary and exit\n"
    "  --version        print the version and exit\n"
    "  --help           print this help and exit\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace rackboot;
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("bootd %s (%s)\n", kVersion, kGitDescribe);
      return 0;
    } else if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check-config") {
      check_only = true;
    } else {
      std::fprintf(stderr, "bootd: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "bootd: --config is required\n%s", kUsage);
    return 2;
  }

  bootd::BootdConfig config;
  try {
    config = bootd::LoadBootdConfig(config_path);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "bootd: invalid configuration: %s\n", e.what());
    return 1;
  }
  log::Level level;
  if (log::ParseLevel(config.log_level, &level)) log::SetLevel(level);

  if (check_only) {
    std::printf("configuration ok: rack=%s dhcp=%s tftp=%s http=%s\n", config.rack.c_str(),
                config.dhcp.mode == bootd::DhcpMode::kServer  ? "server"
                : config.dhcp.mode == bootd::DhcpMode::kProxy ? "proxy"
                                                              : "off",
                config.tftp.enabled ? "on" : "off", config.http.enabled ? "on" : "off");
    return 0;
  }
  log::Error("bootd", "no service is implemented yet; use --check-config", {{"rack", config.rack}});
  return 3;
}
