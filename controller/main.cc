// rackboot-controller: watches Machines and BootProfiles, resolves host
// assignments and pushes them to each rack's bootd. See docs/architecture.md.

#include <cstdio>
#include <string>

#include "common/log.h"
#include "common/version.h"
#include "common/yaml_config.h"
#include "controller/config/controller_config.h"

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
    std::printf("configuration ok: kubeconfig=%s grpc=%s\n",
                config.kubeconfig.empty() ? "(in-cluster)" : config.kubeconfig.c_str(), config.grpc_listen.c_str());
    return 0;
  }
  log::Error("controller", "reconciliation is not implemented yet; use --check-config");
  return 3;
}
