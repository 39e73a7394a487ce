#pragma once
// BootdContext: what every service of one bootd shares. Owned by main.cc;
// services keep references.

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/events/boot_event_recorder.h"

namespace rackboot::bootd {

struct BootdContext {
  BootdConfig config;
  AssignmentStore assignments;
  BootEventRecorder events;
};

}  // namespace rackboot::bootd
