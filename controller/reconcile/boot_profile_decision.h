#pragma once
// The pure core of BootProfile status: (BootProfile, the Machines that
// reference it) -> status.observedGeneration, the Machines using it
// (count and the first kMaxListedMachines names) and conditions an
// operator can act on. No I/O; boot_profile_controller.h writes it.
//
// Conditions (all set on every visit):
//   TemplatesValid      every template names only variables the renderer
//                       provides (resolve/profile_templates.h)
//   ArtifactsValid      what the controller can check without fetching:
//                       an https artifact needs a sha256 (iPXE cannot fetch
//                       https; bootd's cache serves it over http by digest).
//                       URLs are not fetched and `path` artifacts live on
//                       each bootd's disk, so neither is checked here.
//   ParametersSatisfied every Machine using the profile sets its required
//                       parameters and every {{params.x}} the templates use
//                       (such a Machine gets ProfileResolved=False and
//                       nothing is pushed for it)
//   Ready               all of the above

#include <functional>
#include <string>
#include <vector>

#include "controller/model/boot_profile.h"
#include "controller/model/machine.h"
#include "resolve/secret_data.h"

namespace rackboot::controller {

inline constexpr const char* kConditionTemplatesValid = "TemplatesValid";
inline constexpr const char* kConditionArtifactsValid = "ArtifactsValid";
inline constexpr const char* kConditionParametersSatisfied = "ParametersSatisfied";
inline constexpr const char* kConditionReady = "Ready";
inline constexpr size_t kMaxListedMachines = 20;

struct BootProfileDecision {
  model::BootProfileStatus status;
  bool status_changed = false;
};

// The values of the Secrets a Machine and the profile reference (empty:
// none readable), as the Machine reconciler resolves it with.
using SecretsOfMachine = std::function<resolve::SecretData(const model::Machine&)>;

// `users`: the Machines whose spec.bootProfileRef names this profile (any
// order; deleting ones are left out by the caller). `now`: RFC 3339 time
// for condition transitions.
BootProfileDecision DecideBootProfile(const model::BootProfile& profile, const std::vector<model::Machine>& users,
                                      const std::string& now, const SecretsOfMachine& secrets = nullptr);

}  // namespace rackboot::controller
