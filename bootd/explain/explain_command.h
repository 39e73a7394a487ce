#pragma once
// `bootd explain <mac|machine> [--config FILE] [--offline]`: asks the
// running bootd of that configuration (its admin socket, admin_socket.h),
// or, when none runs or with --offline, explains from the configuration's
// manifest directory or persisted snapshot (offline_state.h). Prints the
// explanation (explanation.h) on stdout.
// Exit: 0 explained, 1 the query names nothing / the state cannot be read,
// 2 usage.

namespace rackboot::bootd::explain {

// argv[0] is "explain".
int RunExplainCommand(int argc, char** argv);

}  // namespace rackboot::bootd::explain
