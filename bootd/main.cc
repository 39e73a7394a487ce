// bootd: the per-rack boot server (DHCP, TFTP, HTTP). See docs/architecture.md.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bootd/agent/controller_agent.h"
#include "bootd/boot_configs/rendered_boot_config_files.h"
#include "bootd/bootd_context.h"
#include "bootd/config/bootd_config.h"
#include "bootd/config/host_checks.h"
#include "bootd/config/serving_summary.h"
#include "bootd/dhcp/dhcp_service.h"
#include "bootd/dhcp/router_advertiser.h"
#include "bootd/explain/admin_socket.h"
#include "bootd/explain/explain_command.h"
#include "bootd/explain/explanation.h"
#include "bootd/http/http_server.h"
#include "bootd/metrics/bootd_metrics_bridge.h"
#include "bootd/service.h"
#include "bootd/standalone/manifest_directory.h"
#include "bootd/standalone/manifest_watcher.h"
#include "bootd/state_dir/prepare_state_dir.h"
#include "bootd/tftp/tftp_service.h"
#include "common/log.h"
#include "common/metrics/bootd_metrics.h"
#include "common/metrics/health_checks.h"
#include "common/metrics/metrics_server.h"
#include "common/version.h"
#include "common/yaml_config.h"

namespace {

constexpr const char* kUsage =
    "Usage: bootd --config FILE [--check-config]\n"
    "       bootd explain <mac|machine> [--config FILE] [--offline]   (bootd explain --help)\n"
    "       bootd prepare-state-dir --owner UID[:GID] DIR   (bootd prepare-state-dir --help)\n"
    "\n"
    "The per-rack boot server of rackboot: DHCPv4 (server or ProxyDHCP), TFTP,\n"
    "HTTP, per-machine boot scripts.\n"
    "\n"
    "Options:\n"
    "  --config FILE    bootd configuration (YAML); see deploy/examples/bootd.yaml\n"
    "  --check-config   run every check start-up runs (file, host: interfaces,\n"
    "                   addresses, directories, TLS files), print what bootd\n"
    "                   would serve and exit (1 on any error)\n"
    "  --version        print the version and exit\n"
    "  --help           print this help and exit\n";

const char* ModeName(rackboot::bootd::DhcpMode m) {
  using rackboot::bootd::DhcpMode;
  return m == DhcpMode::kServer ? "server" : m == DhcpMode::kProxy ? "proxy" : "off";
}

// The services the metrics and readiness checks look at (owned by the
// service list).
struct ServiceRefs {
  rackboot::bootd::BootdServiceViews views;
  const rackboot::bootd::standalone::ManifestWatcher* manifests = nullptr;
};

// Adds every service the configuration enables. Each protocol registers
// itself here (one line each), keeping main() free of protocol details.
std::vector<std::unique_ptr<rackboot::bootd::Service>> MakeServices(rackboot::bootd::BootdContext& ctx,
                                                                    ServiceRefs* refs) {
  std::vector<std::unique_ptr<rackboot::bootd::Service>> services;
  // SERVICES: (keep this marker; protocol services are added below it)
  // Controller mode: assignments arrive over gRPC (persisted snapshot first).
  if (auto agent = rackboot::bootd::agent::MakeControllerAgent(ctx)) {
    refs->views.agent = dynamic_cast<const rackboot::bootd::agent::ControllerAgent*>(agent.get());
    services.push_back(std::move(agent));
  }
  // Standalone: assignments come from the manifest directory; first, so they
  // are loaded before DHCP answers anyone.
  if (!ctx.config.manifest_dir.empty()) {
    auto watcher = std::make_unique<rackboot::bootd::standalone::ManifestWatcher>(
        ctx.config.manifest_dir, ctx.config.rack, ctx.assignments, ctx.config.http.artifact_root,
        ctx.config.state_dir + "/provisioned-machines.yaml");
    refs->manifests = watcher.get();
    // bootOnce: booted callbacks are recorded (and acted on) before they
    // are answered. The watcher outlives every service that records events.
    ctx.events.Subscribe([w = watcher.get()](const rackboot::bootd::BootEvent& e) { w->OnBootEvent(e); });
    services.push_back(std::move(watcher));
  }
  if (ctx.config.dhcp.mode != rackboot::bootd::DhcpMode::kOff) {
    auto dhcp = std::make_unique<rackboot::bootd::dhcp::DhcpService>(ctx);
    refs->views.dhcp = dhcp.get();
    // Boot records of machines without a static address: the MAC of the
    // client IP's DHCP lease (DHCP starts first; the lease store is
    // thread-safe).
    ctx.lease_holder = [dhcp = dhcp.get()](rackboot::Ipv4Address ip) -> std::optional<rackboot::MacAddress> {
      std::optional<rackboot::bootd::Lease> lease = dhcp->leases().FindByIp(ip);
      if (!lease || lease->state == rackboot::bootd::LeaseState::kDeclined) return std::nullopt;
      return lease->mac;
    };
    services.push_back(std::move(dhcp));
    using rackboot::bootd::Ipv6RouterAdvertisement;
    const Ipv6RouterAdvertisement ra = ctx.config.dhcp.ipv6_router_advertisement;
    if (ra == Ipv6RouterAdvertisement::kOn ||
        (ra == Ipv6RouterAdvertisement::kAuto && ctx.config.dhcp.mode == rackboot::bootd::DhcpMode::kServer)) {
      auto advertiser = std::make_unique<rackboot::bootd::dhcp::RouterAdvertiser>(ctx.config.dhcp.interface,
                                                                                  ra == Ipv6RouterAdvertisement::kOn);
      refs->views.router_advertiser_counts = [a = advertiser.get()] { return a->counts(); };
      services.push_back(std::move(advertiser));
    }
  }
  if (ctx.config.http.enabled) services.push_back(rackboot::bootd::http::MakeHttpService(ctx));
  if (ctx.config.tftp.enabled) {
    // pxelinux.cfg/... and grub.cfg-... names are rendered per machine.
    auto boot_configs = std::make_shared<rackboot::bootd::RenderedBootConfigFiles>(
        rackboot::bootd::RenderedBootConfigFiles::Options{ctx.config.http.public_url, ctx.config.rack,
                                                          ctx.config.http.environment},
        ctx.assignments, &ctx.events);
    auto tftp = std::make_unique<rackboot::bootd::tftp::TftpService>(ctx.config.tftp, &ctx.events, &ctx.assignments,
                                                                     boot_configs);
    tftp->SetObserver(ctx.hooks.tftp);
    if (ctx.lease_holder) tftp->SetMacResolver(ctx.lease_holder);
    refs->views.tftp = tftp.get();
    services.push_back(std::move(tftp));
  }
  return services;
}

// SIGTERM: every service stops taking new work at once, then all of them
// finish what is in flight against one deadline. Reverse start order, so
// the controller agent (started first) waits last and delivers the boot
// events of the transfers that finished meanwhile. One log line says what
// was drained.
void DrainServices(const std::vector<std::unique_ptr<rackboot::bootd::Service>>& services, std::chrono::seconds grace) {
  using namespace rackboot;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + grace;
  for (auto it = services.rbegin(); it != services.rend(); ++it) (*it)->BeginDrain();
  // "tftp=3 http=2 agent=5": per service, what finished / was abandoned.
  std::string finished, abandoned;
  for (auto it = services.rbegin(); it != services.rend(); ++it) {
    const bootd::DrainReport r = (*it)->WaitDrained(deadline);
    if (r.finished > 0) finished += (finished.empty() ? "" : " ") + (*it)->name() + "=" + std::to_string(r.finished);
    if (r.abandoned > 0) {
      abandoned += (abandoned.empty() ? "" : " ") + (*it)->name() + "=" + std::to_string(r.abandoned);
    }
  }
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  if (abandoned.empty()) {
    log::Info("bootd", "drained", {{"finished", finished}, {"millis", millis}});
  } else {
    log::Warn("bootd", "drain deadline passed; abandoning the rest",
              {{"finished", finished}, {"abandoned", abandoned}, {"millis", millis}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rackboot;
  if (argc >= 2 && std::string(argv[1]) == "explain") return bootd::explain::RunExplainCommand(argc - 1, argv + 1);
  if (argc >= 2 && std::string(argv[1]) == "prepare-state-dir") {
    return bootd::state_dir::RunPrepareStateDirCommand(argc - 1, argv + 1);
  }
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
  // The same host checks for --check-config and start-up: whatever would
  // stop bootd here stops --check-config too.
  const std::vector<bootd::ConfigFinding> findings = bootd::CheckConfigOnHost(ctx->config, *bootd::SystemHostFacts());
  const bootd::BootdConfig& config = ctx->config;
  log::Level level;
  if (log::ParseLevel(config.log_level, &level)) log::SetLevel(level);
  if (bootd::HasErrors(findings)) {
    for (const auto& f : findings) {
      if (f.severity == bootd::ConfigFinding::Severity::kError) {
        std::fprintf(stderr, "bootd: invalid configuration: %s\n", bootd::FormatFinding(config, f).c_str());
      }
    }
    return 1;
  }
  if (check_only) {
    std::printf("configuration ok: rack=%s dhcp=%s tftp=%s http=%s\n", config.rack.c_str(), ModeName(config.dhcp.mode),
                config.tftp.enabled ? "on" : "off", config.http.enabled ? "on" : "off");
    for (const auto& f : findings) {
      const bool warning = f.severity == bootd::ConfigFinding::Severity::kWarning;
      std::printf("%s: %s\n", warning ? "warning" : "derived", bootd::FormatFinding(config, f).c_str());
    }
    std::fputs(bootd::DescribeServing(config).c_str(), stdout);
    // Standalone: the manifests too (strict templates, required
    // parameters...), each problem with file, line and field. The host
    // checks above made sure the directory exists.
    if (config.manifest_dir.empty()) return 0;
    bootd::standalone::ManifestLoad load =
        bootd::standalone::LoadManifestDirectory(config.manifest_dir, config.rack, config.http.artifact_root);
    for (const auto& p : load.problems) {
      std::fprintf(stderr, "bootd: manifest problem: field '%s': %s\n", p.field.c_str(), p.message.c_str());
    }
    std::printf("manifests: files=%zu profiles=%zu machines=%zu problems=%zu\n", load.files, load.profiles,
                load.assignments.size(), load.problems.size());
    return load.problems.empty() ? 0 : 1;
  }
  for (const auto& f : findings) {
    if (f.severity == bootd::ConfigFinding::Severity::kWarning) {
      log::Warn("bootd", "configuration", {{"problem", bootd::FormatFinding(config, f)}});
    } else {
      log::Info("bootd", "derived", {{"field", f.field}, {"value", f.text}});
    }
  }

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Metrics first, so that /readyz answers (503) while services start.
  auto registry = std::make_shared<prometheus::Registry>();
  metrics::BootdMetrics bootd_metrics(*registry, config.rack, kVersion);
  bootd::BootdMetricsBridge metrics_bridge(bootd_metrics, config, ctx->assignments, ctx->events);
  ctx->hooks = {&metrics_bridge, &metrics_bridge, &metrics_bridge};
  auto health = std::make_shared<metrics::HealthChecks>();
  auto endpoint = metrics::StartMetricsEndpoint("bootd", config.metrics_listen, registry, health,
                                                [&metrics_bridge] { metrics_bridge.Refresh(); });
  if (!endpoint.ok()) {
    log::Error("bootd", "cannot serve metrics", {{"error", endpoint.error().message}});
    return 1;
  }
  std::unique_ptr<metrics::MetricsServer> metrics_server = std::move(*endpoint);

  ServiceRefs refs;
  auto services = MakeServices(*ctx, &refs);
  if (services.empty()) {
    log::Error("bootd", "configuration enables no service", {{"config", config_path}});
    return 1;
  }
  // The local admin socket (`bootd explain` against this process); last,
  // so everything it reads has started before it answers.
  auto explain = [&ctx, dhcp = refs.views.dhcp, manifests = refs.manifests](const std::string& query) {
    bootd::explain::ExplainState s;
    s.config = &ctx->config;
    s.assignments = &ctx->assignments;
    s.leases = dhcp ? &dhcp->leases() : nullptr;
    s.events = &ctx->events;
    s.upstream_via_cache = ctx->artifact_cache != nullptr;
    s.source = "running bootd";
    if (manifests) {
      for (const auto& p : manifests->last_load().problems) s.problems.push_back(p.message);
    }
    s.now_unix = static_cast<int64_t>(std::time(nullptr));
    return bootd::explain::Explain(s, query);
  };
  services.push_back(
      std::make_unique<bootd::explain::AdminSocketService>(bootd::explain::AdminSocketPath(ctx->config), explain));
  // Ready = every service started and assignments to serve: the persisted
  // or pushed snapshot (controller mode) or a completed manifest load.
  std::atomic<bool> all_started{false};
  health->AddReadiness(
      "services", [&all_started] { return all_started.load() ? Status::Ok() : Status(Error{"services starting"}); });
  if (const auto* agent = refs.views.agent) {
    health->AddReadiness("assignments", [agent] {
      return agent->applied_version() > 0 ? Status::Ok() : Status(Error{"no assignment snapshot yet"});
    });
  }
  if (const auto* manifests = refs.manifests) {
    health->AddReadiness("manifests", [manifests] {
      return manifests->loads() > 0 ? Status::Ok() : Status(Error{"manifests not loaded yet"});
    });
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
    if (auto cache = ctx->artifact_cache) {  // exists once HTTP started
      refs.views.artifact_cache_stats = [cache] { return cache->stats(); };
    }
    metrics_bridge.Watch(refs.views);
    all_started = true;
    log::Info("bootd", "ready", {{"rack", config.rack}, {"version", kVersion}});
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log::Info("bootd", "stopping", {{"signal", strsignal(sig)}, {"grace_seconds", config.shutdown_grace_seconds}});
    all_started = false;  // not ready: no new work is routed here
    DrainServices(services, std::chrono::seconds(config.shutdown_grace_seconds));
  } else {
    exit_code = 1;
  }
  all_started = false;
  metrics_bridge.Watch({});  // the services go away below
  while (started > 0) services[--started]->Stop();
  metrics_server.reset();  // before the checks' captures go out of scope
  return exit_code;
}
