#pragma once
// BootdContext: what every service of one bootd shares. Owned by main.cc;
// services keep references.

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/events/boot_event_recorder.h"

namespace rackboot::bootd {

namespace dhcp {
class DhcpObserver;
}
namespace http {
class HttpRequestObserver;
}
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
};

}  // namespace rackboot::bootd
