#include "bootd/explain/explain_command.h"

#include <cstdio>
#include <ctime>
#include <string>

#include "bootd/config/host_checks.h"
#include "bootd/config/host_facts.h"
#include "bootd/explain/admin_socket.h"
#include "bootd/explain/explanation.h"
#include "bootd/explain/offline_state.h"
#include "common/log.h"
#include "common/yaml_config.h"

namespace rackboot::bootd::explain {
namespace {

constexpr const char* kDefaultConfig = "/etc/rackboot/bootd.yaml";  // where the Helm chart mounts it

constexpr const char* kUsage =
    "Usage: bootd explain <mac|machine> [--config FILE] [--offline]\n"
    "\n"
    "What bootd would answer this MAC (or each MAC of this machine) right now,\n"
    "per firmware class: the DHCP reply or why there is none, the boot file,\n"
    "the boot script (config tokens and secrets masked), and the boot stages\n"
    "bootd recorded for it.\n"
    "\n"
    "  <mac|machine>   aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or aabbccddeeff;\n"
    "                  or a machine name (name, or namespace/name)\n"
    "  --config FILE   bootd's configuration (default /etc/rackboot/bootd.yaml);\n"
    "                  the running bootd is reached at <stateDir>/admin.sock\n"
    "  --offline       do not ask the running bootd: read the manifest directory\n"
    "                  (standalone) or the persisted assignments snapshot\n"
    "                  (controller mode); no leases, no boot records\n";

}  // namespace

int RunExplainCommand(int argc, char** argv) {
  std::string query, config_path = kDefaultConfig;
  bool offline = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--offline") {
      offline = true;
    } else if (query.empty() && !arg.empty() && arg[0] != '-') {
      query = arg;
    } else {
      std::fprintf(stderr, "bootd explain: unexpected argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (query.empty()) {
    std::fprintf(stderr, "bootd explain: name a MAC or a machine\n%s", kUsage);
    return 2;
  }
  // Explaining is read-only and talks to people: only warnings and errors
  // of the code it runs go to stderr.
  log::SetLevel(log::Level::kWarn);
  BootdConfig config;
  try {
    config = LoadBootdConfig(config_path);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "bootd explain: invalid configuration: %s\n", e.what());
    return 1;
  }
  if (!offline) {
    const AdminAnswer answer = AskAdminSocket(AdminSocketPath(config), query);
    if (answer.reached) {
      std::fputs(answer.body.c_str(), answer.status == 200 ? stdout : stderr);
      return answer.status == 200 ? 0 : 1;
    }
    std::fprintf(stderr, "bootd explain: %s; explaining offline\n", answer.body.c_str());
  }
  // What the running bootd derives at start (server address, public URL)
  // is derived here the same way; what would stop it is a reason too.
  const std::vector<ConfigFinding> findings = CheckConfigOnHost(config, *SystemHostFacts());
  std::string header;
  for (const auto& f : findings) {
    if (f.severity == ConfigFinding::Severity::kError) {
      header += "config error (bootd would not start): " + FormatFinding(config, f) + "\n";
    } else if (f.severity == ConfigFinding::Severity::kWarning) {
      header += "config warning: " + FormatFinding(config, f) + "\n";
    }
  }
  auto loaded = LoadOfflineState(config);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%sbootd explain: %s\n", header.c_str(), loaded.error().message.c_str());
    return 1;
  }
  ExplainState state;
  state.config = &config;
  state.assignments = &(*loaded)->assignments;
  state.upstream_via_cache = !config.http.artifact_cache_dir.empty();
  state.source = (*loaded)->source;
  state.problems = (*loaded)->problems;
  state.now_unix = static_cast<int64_t>(std::time(nullptr));
  auto text = Explain(state, query);
  if (!text.ok()) {
    std::fprintf(stderr, "%sbootd explain: %s\n", header.c_str(), text.error().message.c_str());
    return 1;
  }
  std::fputs((header + *text).c_str(), stdout);
  return 0;
}

}  // namespace rackboot::bootd::explain
