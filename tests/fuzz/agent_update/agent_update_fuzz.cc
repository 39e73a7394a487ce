// Fuzzes bootd's handling of what the controller sends (an AssignmentUpdate,
// network input even if authenticated) and of the persisted snapshot file:
// decode -> DecideUpdate -> CommitUpdate must never crash, and a NACK must
// leave the state untouched.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bootd/agent/applied_state.h"
#include "bootd/agent/snapshot_file.h"

using namespace rackboot::bootd::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)DecodeSnapshot(bytes);

  rackboot::v1alpha1::AssignmentUpdate update;
  if (!update.ParseFromArray(data, static_cast<int>(size))) return 0;
  AppliedState state;
  state.rack = "rack-a";
  state.version = 10;
  state.epoch = 1;
  state.highest_epoch = 1;
  auto& a = state.assignments["ns/m1"];
  a.set_machine_name("ns/m1");
  a.add_interfaces()->set_mac("52:54:00:00:00:01");
  const AppliedState before = state;
  UpdateDecision d = DecideUpdate(state, update);
  if (d.kind == UpdateDecision::Kind::kApply) {
    CommitUpdate(state, update);
    std::vector<rackboot::bootd::Assignment> loaded;
    // What was accepted must persist and load back.
    std::string encoded = EncodeSnapshot(state.ToSnapshot());
    auto snap = DecodeSnapshot(encoded);
    if (!snap.ok() || !StateFromSnapshot(*snap, "rack-a", &loaded).ok()) std::abort();
  } else if (state.version != before.version || state.assignments.size() != before.assignments.size()) {
    std::abort();
  }
  return 0;
}
