#pragma once
// Explain: "why didn't it boot?" for one MAC (or each MAC of one machine).
// For every firmware class (firmware_requests.h) it asks the real decision
// code what bootd would answer right now -- DhcpEngine for the DHCP reply
// (or the drop reason), ChooseBootAnswer for why a reply carries no boot
// file, http::AnswerScript and the renderer for the script -- and adds the
// machine's recorded boot stages and last DHCP fingerprint. Nothing here
// decides anything a second time, and nothing is changed: leases are read
// through ReadOnlyLeases, no boot event is recorded, no log line written.
//
// Secrets: boot scripts never contain secret parameters (the renderer keeps
// them out); the config token a script would carry is rendered as
// "MASKED", and any secret parameter value that still appeared would be
// masked too. Install configs are only named, with whether they render.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/events/boot_event_recorder.h"
#include "bootd/leases/lease_store.h"
#include "common/result.h"

namespace rackboot::bootd::explain {

inline constexpr const char* kMaskedToken = "MASKED";

// What explain looks at: a running bootd's state, or one loaded from disk
// (offline_state.h). Not owned.
struct ExplainState {
  const BootdConfig* config = nullptr;  // after the host checks derived what the YAML left out
  const AssignmentStore* assignments = nullptr;
  const LeaseStore* leases = nullptr;         // null: none read
  const BootEventRecorder* events = nullptr;  // null: no boot records (offline)
  bool upstream_via_cache = false;            // http.artifactCacheDir in effect
  std::string source;                         // "running bootd", "manifests in /etc/rackboot (offline)"
  // Standalone: the manifest problems of the last load (a Machine whose
  // profile failed to resolve is not served and shows up only here).
  std::vector<std::string> problems;
  int64_t now_unix = 0;
};

// `query`: a MAC (colons, dashes or 12 hex digits, any case) or a machine
// name ("name" or "namespace/name"). Error only when it is neither a MAC
// nor a machine this bootd knows.
Result<std::string> Explain(const ExplainState& state, const std::string& query);

}  // namespace rackboot::bootd::explain
