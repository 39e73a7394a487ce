#pragma once
// Strict templates at the door: every template of a BootProfile (command
// lines, spec.templates.*, install configs) is checked against the variable
// table (bootd/render/template_variables.h) before anything is served.
//   - per profile (no Machine): the controller's BootProfile status and
//     standalone bootd's manifest load / --check-config;
//   - per Machine, inside ResolveHostAssignment: also every {{params.x}}
//     against the parameters that Machine ends up with.

#include <map>
#include <string>
#include <vector>

#include "resolve/boot_profile_spec.h"

namespace rackboot::resolve {

struct TemplateProblem {
  std::string field;    // spec.cmdline, spec.install.preseed, ...
  std::string message;  // names the profile, the field and the variable
};

// One problem per template that has one: "BootProfile debian-12-install:
// spec.cmdline uses unknown variable {{hostname}} (did you mean
// {{machine.hostname}}?)". `params` null: any parameter name passes (a
// Machine may set it).
std::vector<TemplateProblem> ProfileTemplateProblems(const std::string& profile_name, const BootProfileSpec& profile,
                                                     const std::map<std::string, std::string>* params = nullptr);

}  // namespace rackboot::resolve
