// rackboot-controller: watches Machines and BootProfiles, resolves host
// assignments and pushes them to each rack's bootd. See docs/architecture.md.

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "common/log.h"
#include "common/metrics/controller_metrics.h"
#include "common/metrics/health_checks.h"
#include "common/metrics/metrics_server.h"
#include "common/version.h"
#include "common/yaml_config.h"
#include "controller/config/controller_config.h"
#include "controller/k8s/api_client.h"
#include "controller/k8s/client_config.h"
#include "controller/k8s/cpprest_transport.h"
#include "controller/k8s/leader_election.h"
#include "controller/metrics/controller_metrics_bridge.h"
#include "controller/metrics/instrumented_transport.h"
#include "controller/progress/boot_status_writer.h"
#include "controller/push_bridge.h"
#include "controller/reconcile/boot_profile_controller.h"
#include "controller/reconcile/machine_controller.h"

namespace {

constexpr const char* kUsage =
    "Usage: rackboot-controller --config FILE [--check-config]\n"
    "\n"
    "The Kubernetes controller of rackboot: reconciles Machine and BootProfile\n"
    "resources (rackboot.io/v1alpha1) into host assignments for bootd.\n"
    "\n"
    "Options:\n"
    "  --config FILE    controller configuration (YAML); see deploy/examples/controller.yaml\n"
    "  --check-config   validate the configuration and exit\n"
    "  --version        print the version and exit\n"
    "  --help           print this help and exit\n";

// Unique per replica: the pod name (downward API) or host name, plus a
// random suffix so a restarted process never renews its predecessor's lease.
std::string ReplicaIdentity() {
  std::string base;
  if (const char* pod = std::getenv("POD_NAME"); pod && *pod) {
    base = pod;
  } else {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    base = host;
  }
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "_%08x", rd());
  return base + suffix;
}

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int Run(const rackboot::controller::ControllerConfig& config) {
  using namespace rackboot;
  // Block the signals in every thread; the main thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  k8s::ClientConfig client_config;
  try {
    client_config = config.kubeconfig.empty() ? k8s::InClusterConfig() : k8s::LoadKubeconfig(config.kubeconfig);
  } catch (const ConfigError& e) {
    log::Error("controller", "cannot configure the Kubernetes client", {{"error", e.what()}});
    return 1;
  }
  std::shared_ptr<k8s::HttpTransport> transport;
  try {
    transport = std::make_shared<k8s::CpprestTransport>(client_config);
  } catch (const ConfigError& e) {
    log::Error("controller", "cannot configure the Kubernetes client", {{"error", e.what()}});
    return 1;
  }
  // Metrics before anything talks to the API server, so every request counts
  // and /readyz answers (503) while the caches fill.
  auto registry = std::make_shared<prometheus::Registry>();
  metrics::ControllerMetrics controller_metrics(*registry, kVersion);
  controller::ControllerMetricsBridge metrics_bridge(controller_metrics, config.racks);
  auto health = std::make_shared<metrics::HealthChecks>();
  auto endpoint = metrics::StartMetricsEndpoint("controller", config.metrics_listen, registry, health,
                                                [&metrics_bridge] { metrics_bridge.Refresh(); });
  if (!endpoint.ok()) {
    log::Error("controller", "cannot serve metrics", {{"error", endpoint.error().message}});
    return 1;
  }
  std::unique_ptr<metrics::MetricsServer> metrics_server = std::move(*endpoint);
  transport = std::make_shared<controller::InstrumentedTransport>(transport, controller_metrics);

  auto client = std::make_shared<k8s::ApiClient>(transport);
  const std::string identity = ReplicaIdentity();

  controller::MachineControllerOptions options;
  options.namespace_ = config.namespace_;
  options.secret_namespaces = config.secret_namespaces;
  options.racks = config.racks;
  options.identity = identity;
  options.observer = &metrics_bridge;
  options.queue_observer = &metrics_bridge;
  controller::MachineController machines(client, options);
  // BootProfile status (which Machines use it, template/parameter problems)
  // from the same caches, written while leading.
  controller::BootProfileController profile_status(
      client, machines.machines(), machines.profiles(),
      [&machines](const model::Machine& m, const model::BootProfile* p) { return machines.CachedSecrets(m, p); });
  machines.SetProfileChangeListener([&profile_status](const std::string& key) { profile_status.Enqueue(key); });
  machines.Start();
  metrics_bridge.Watch(&machines);
  // Ready = the informer caches hold a full list (every replica, leader or
  // not: a warm standby is ready). Leadership is a metric, not readiness.
  health->AddReadiness("informers", [&machines] {
    return machines.machines().HasSynced() && machines.profiles().HasSynced() && machines.SecretsSynced()
               ? Status::Ok()
               : Status(Error{"informer caches not synced"});
  });
  // The gRPC push to each rack's bootd; listens only while this replica
  // leads (see push_bridge.h). The push is mTLS only, so without `grpc.tls`
  // there is no push (reconcile-only, e.g. status tests).
  // Boot progress: gRPC threads queue bootd's events, one writer thread
  // merges them into Machine status (controller/progress/).
  controller::progress::BootEventQueue boot_events;
  controller::progress::BootStatusWriterOptions progress_options;
  progress_options.loop_threshold = config.boot_loop_threshold;
  progress_options.discovery.create_machines = config.discovery_create_machines;
  progress_options.discovery.namespace_ = !config.discovery_namespace.empty() ? config.discovery_namespace
                                          : !config.namespace_.empty()        ? config.namespace_
                                                                              : "default";
  progress_options.discovery.max_machines = static_cast<size_t>(config.discovery_max_machines);
  progress_options.identity = identity;
  controller::progress::BootStatusWriter boot_status(client, boot_events, progress_options,
                                                     &machines.machines().store());
  boot_status.Start();
  std::unique_ptr<controller::PushBridge> push;
  if (!config.tls_ca_file.empty()) {
    controller::push::PushServerOptions push_options;
    push_options.listen = config.grpc_listen;
    push_options.ca_file = config.tls_ca_file;
    push_options.cert_file = config.tls_cert_file;
    push_options.key_file = config.tls_key_file;
    push_options.metrics_observer = &metrics_bridge;
    push_options.unix_socket = config.grpc_unix_socket;
    push = std::make_unique<controller::PushBridge>(machines, push_options);
    push->SetBootEventQueue(&boot_events);
  } else {
    log::Warn("controller", "no grpc.tls configured: assignments are not pushed to bootd");
  }
  log::Info("controller", "started",
            {{"identity", identity},
             {"server", client_config.server},
             {"racks", config.racks.size()},
             {"leaderElection", config.leader_election}});

  std::unique_ptr<k8s::LeaderElector> elector;
  if (config.leader_election) {
    k8s::LeaderElectionConfig le;
    le.lease_namespace = config.lease_namespace;
    le.lease_name = config.lease_name;
    le.identity = identity;
    le.lease_duration = std::chrono::seconds(config.lease_duration_seconds);
    le.renew_deadline = std::chrono::seconds(config.renew_deadline_seconds);
    le.retry_period = std::chrono::seconds(config.retry_period_seconds);
    k8s::LeaderCallbacks cb;
    cb.on_started_leading = [&machines, &profile_status, &push, &metrics_bridge](int64_t epoch) {
      metrics_bridge.SetLeader(true);
      machines.StartLeading(epoch);
      profile_status.StartLeading();
      if (push) push->StartLeading(epoch);
    };
    // Another replica may already be assigning: stop at once and let the
    // Deployment restart us as a follower (client-go does the same).
    cb.on_stopped_leading = [] {
      log::Error("controller", "leadership lost; exiting so a clean replica takes over");
      std::_Exit(4);
    };
    elector = std::make_unique<k8s::LeaderElector>(client, le, cb);
    elector->Start();
  } else {
    metrics_bridge.SetLeader(true);
    machines.StartLeading(0);
    profile_status.StartLeading();
    if (push) push->StartLeading(0);
  }

  // Graceful stop, as Kubernetes stops a pod: well inside its 30 s grace.
  int sig = WaitForSignal();
  log::Info("controller", "shutting down", {{"signal", sig}});
  const auto stop_started = std::chrono::steady_clock::now();
  // No new pushes; every bootd stream ends with UNAVAILABLE, so bootds
  // reconnect at their base delay to whichever replica leads next.
  if (push) push->Stop();
  const size_t queued_events = boot_events.size();
  const uint64_t writes_before = boot_status.status_writes();
  boot_status.Stop();  // writes what is queued
  profile_status.Stop();
  machines.Stop();  // no new reconciles; queued Events are sent
  // Releases the lease: a standby leads at once.
  const bool released_lease = elector && elector->Stop();
  metrics_bridge.Watch(nullptr);
  metrics_server.reset();  // before the bridge and the readiness check's captures
  log::Info(
      "controller", "shut down",
      {{"queued_boot_events", queued_events},
       {"status_writes", boot_status.status_writes() - writes_before},
       {"released_lease", released_lease},
       {"millis", std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stop_started)
                      .count()}});
  return 0;
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
      std::printf("rackboot-controller %s (%s)\n", kVersion, kGitDescribe);
      return 0;
    } else if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check-config") {
      check_only = true;
    } else {
      std::fprintf(stderr, "rackboot-controller: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "rackboot-controller: --config is required\n%s", kUsage);
    return 2;
  }
  controller::ControllerConfig config;
  try {
    config = controller::LoadControllerConfig(config_path);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "rackboot-controller: invalid configuration: %s\n", e.what());
    return 1;
  }
  if (check_only) {
    std::printf("configuration ok: kubeconfig=%s grpc=%s racks=%zu\n",
                config.kubeconfig.empty() ? "(in-cluster)" : config.kubeconfig.c_str(), config.grpc_listen.c_str(),
                config.racks.size());
    return 0;
  }
  log::Level level;
  if (log::ParseLevel(config.log_level, &level)) log::SetLevel(level);
  return Run(config);
}
