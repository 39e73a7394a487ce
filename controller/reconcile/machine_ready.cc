#include "controller/reconcile/machine_ready.h"

#include "controller/progress/boot_state.h"
#include "controller/reconcile/machine_decision.h"

namespace rackboot::controller {
namespace {

model::Condition Ready(bool ok, std::string reason, std::string message, int64_t generation) {
  return model::Condition{
      kConditionReady, ok ? "True" : "False", std::move(reason), std::move(message), generation, ""};
}

bool IsFalse(const model::Condition* c) {
  return c && c->status == "False";
}

}  // namespace

model::Condition DecideMachineReady(const MachineReadyInput& in) {
  const auto& conditions = in.status->conditions;
  const int64_t gen = in.generation;
  if (in.discovered) {
    return Ready(false, kReasonDiscovered,
                 "created by discovery: set spec.bootProfileRef (and spec.rack) to adopt it; bootd treats its MAC as "
                 "unknown until then",
                 gen);
  }
  if (!in.published) {
    // The first condition that keeps the assignment back, in the order an
    // operator fixes them: the address, then the profile.
    for (const char* type : {kConditionAssigned, kConditionProfileResolved}) {
      const model::Condition* c = model::FindCondition(conditions, type);
      if (IsFalse(c)) return Ready(false, c->reason, std::string(type) + ": " + c->message, gen);
    }
    return Ready(false, kReasonNotAssigned, "nothing is sent to bootd yet", gen);
  }
  if (const model::Condition* loop = model::FindCondition(conditions, progress::kConditionBootLoop);
      loop && loop->status == "True") {
    return Ready(false, kReasonBootLoop, "BootLoop: " + loop->message, gen);
  }
  if (in.status->phase == progress::kPhaseFailed) {
    return Ready(false, kReasonBootError,
                 "the last boot attempt failed: " +
                     (in.last_error.empty() ? std::string("bootd reported an error") : in.last_error) +
                     " (status.lastError); it is Ready again when the machine boots anew",
                 gen);
  }
  const model::Condition* netboot = model::FindCondition(conditions, kConditionNetbootEnabled);
  const std::string what = in.profile.empty() ? "DHCP lease only, no BootProfile" : "BootProfile " + in.profile;
  return Ready(true, kReasonPublished,
               "assignment (" +
                   (in.status->ipv4.empty() ? std::string("address from the site's DHCP") : in.status->ipv4) + ", " +
                   what + ") published to the bootd of rack " + in.rack + "; netboot " +
                   (netboot ? netboot->reason : std::string("unknown")),
               gen);
}

std::string LastErrorMessage(const model::Machine& machine) {
  const model::Json* status = model::Field(machine.raw, "status");
  const model::Json* error = status && status->is_object() ? model::Field(*status, "lastError") : nullptr;
  return error && error->is_object() ? model::StringAt(*error, "message") : "";
}

}  // namespace rackboot::controller
