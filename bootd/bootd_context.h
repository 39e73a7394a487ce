#pragma once
// BootdContext: what every service of one bootd shares. Owned by main.cc;
// services keep references.

#include <functional>
#include <memory>
#include <optional>

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/events/boot_event_recorder.h"

namespace rackboot::bootd {

namespace dhcp {
class DhcpObserver;
}
namespace http {
class ArtifactCache;
class HttpRequestObserver;
}  // namespace http
namespace tftp {
class TftpTransferObserver;
}

// Optional metric hooks (bootd/metrics/), set by main before the services
// start; null in tests. Not owned.
struct BootdHooks {
  dhcp::DhcpObserver* dhcp = nullptr;
  http::HttpRequestObserver* http = nullptr;
  tftp::TftpTransferObserver* tftp = nullptr;
};

struct BootdContext {
  BootdConfig config;
  AssignmentStore assignments;
  BootEventRecorder events;
  BootdHooks hooks;
  // Set by the HTTP service's Start() when http.artifactCacheDir is set;
  // read by the metrics scrape hook.
  std::shared_ptr<const http::ArtifactCache> artifact_cache;
  // The MAC holding a client IP's DHCP lease, when this bootd serves DHCP
  // (set by main before the services start). TFTP and HTTP downloads whose
  // request names no MAC become that machine's boot records through it.
  std::function<std::optional<MacAddress>(Ipv4Address)> lease_holder;
};

}  // namespace rackboot::bootd
