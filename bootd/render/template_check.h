#pragma once
// Strict templates, checked before anything renders: every name a template
// uses must be one the renderer provides for that kind of template
// (bootd/render/template_variables.h). Used where a template first appears
// -- the resolver (resolve/template_problems.h, both doors), standalone
// manifest load, the controller's BootProfile status -- so a typo is a
// problem that names the variable and the template, not an empty string in
// a boot script. What only a render can know (a parameter the Machine does
// not set, a bootd environment value) is checked again by RenderTemplate.

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "bootd/render/template_variables.h"
#include "common/result.h"

namespace rackboot::bootd::render {

// The keys of the operator's maps where the caller knows them; nullopt:
// not known here (any key passes, the render checks it).
struct TemplateKeys {
  std::optional<std::set<std::string>> params;
  std::optional<std::set<std::string>> configs;
  std::optional<std::set<std::string>> env;
  // Parameter names for a "did you mean {{params.x}}" hint only.
  std::set<std::string> param_hints;
};

// Ok, or an Error such as "uses unknown variable {{hostname}} (did you mean
// {{machine.hostname}}?)" for the caller to prefix with the template's name.
// A map key that is not set ({{params.x}}) is an error as a variable and
// fine as a section ({{#params.x}}...{{/params.x}} tests for it).
Status CheckTemplateVariables(std::string_view tmpl, TemplateKind kind, const TemplateKeys& keys);

// The message for a name that has no value, shared with the render-time
// check so both say the same thing.
std::string UnknownVariableMessage(std::string_view name, const TemplateKeys& keys);

}  // namespace rackboot::bootd::render
