// bootd: the per-rack boot server (DHCP, TFTP, HTTP). See docs/architecture.md.

#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bootd/agent/controller_agent.h"
#include "bootd/boot_configs/rendered_boot_config_files.h"
#include "bootd/bootd_context.h"
#include "bootd/config/bootd_config.h"
#include "bootd/dhcp/dhcp_service.h"
#include "bootd/http/http_server.h"
#include "bootd/service.h"
#include "bootd/standalone/manifest_watcher.h"
#include "bootd/tftp/tftp_service.h"
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

const char* ModeName(rackboot::bootd::DhcpMode m) {
  using rackboot::bootd::DhcpMode;
  return m == DhcpMode::kServer ? "server" : m == DhcpMode::kProxy ? "proxy" : "off";
}

// Adds every service the configuration enables. Each protocol registers
// itself here (one line each), keeping main() free of protocol details.
std::vector<std::unique_ptr<rackboot::bootd::Service>> MakeServices(rackboot::bootd::BootdContext& ctx) {
  std::vector<std::unique_ptr<rackboot::bootd::Service>> services;
  (void)ctx;
  // SERVICES: (keep this marker; protocol services are added below it)
  // Controller mode: assignments arrive over gRPC (persisted snapshot first).
  if (auto agent = rackboot::bootd::agent::MakeControllerAgent(ctx)) services.push_back(std::move(agent));
  // Standalone: assignments come from the manifest directory; first, so they
  // are loaded before DHCP answers anyone.
  if (!ctx.config.manifest_dir.empty()) {
    services.push_back(std::make_unique<rackboot::bootd::standalone::ManifestWatcher>(
        ctx.config.manifest_dir, ctx.config.rack, ctx.assignments, ctx.config.http.artifact_root));
  }
  if (ctx.config.dhcp.mode != rackboot::bootd::DhcpMode::kOff)
    services.push_back(std::make_unique<rackboot::bootd::dhcp::DhcpService>(ctx));
  if (ctx.config.http.enabled) services.push_back(rackboot::bootd::http::MakeHttpService(ctx));
  if (ctx.config.tftp.enabled) {
    // pxelinux.cfg/... and grub.cfg-... names are rendered per machine.
    auto boot_configs = std::make_shared<rackboot::bootd::RenderedBootConfigFiles>(
        rackboot::bootd::RenderedBootConfigFiles::Options{ctx.config.http.public_url, ctx.config.rack,
                                                          ctx.config.http.environment},
        ctx.assignments, &ctx.events);
    services.push_back(std::make_unique<rackboot::bootd::tftp::TftpService>(ctx.config.tftp, &ctx.events,
                                                                            &ctx.assignments, boot_configs));
  }
  return services;
}

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

  auto ctx = std::make_unique<bootd::BootdContext>();
  try {
    ctx->config = bootd::LoadBootdConfig(config_path);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "bootd: invalid configuration: %s\n", e.what());
    return 1;
  }
  const bootd::BootdConfig& config = ctx->config;
  log::Level level;
  if (log::ParseLevel(config.log_level, &level)) log::SetLevel(level);

  if (check_only) {
    std::printf("configuration ok: rack=%s dhcp=%s tftp=%s http=%s\n", config.rack.c_str(), ModeName(config.dhcp.mode),
                config.tftp.enabled ? "on" : "off", config.http.enabled ? "on" : "off");
    return 0;
  }

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto services = MakeServices(*ctx);
  if (services.empty()) {
    log::Error("bootd", "configuration enables no service", {{"config", config_path}});
    return 1;
  }
  size_t started = 0;
  for (; started < services.size(); ++started) {
    Status s = services[started]->Start();
    if (!s.ok()) {
      log::Error("bootd", "service failed to start", {{"service", services[started]->name()}, {"error", s.message()}});
      break;
    }
    log::Info("bootd", "service started", {{"service", services[started]->name()}});
  }
  int exit_code = 0;
  if (started == services.size()) {
    log::Info("bootd", "ready", {{"rack", config.rack}, {"version", kVersion}});
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::Info("bootd", "stopping", {{"signal", strsignal(sig)}});
  } else {
    exit_code = 1;
  }
  while (started > 0) services[--started]->Stop();
  return exit_code;
}
