#pragma once
// The tags of a Mustache template as a tree (sections hold their children),
// for the checks that the engine does not make: which names a template
// uses and where (bootd/render/template_check.h, template_renderer.cc).
// Only the tag forms RenderTemplate accepts exist here: {{name}},
// {{#name}}, {{^name}}, {{/name}}, {{!comment}} (CheckTemplate refuses the
// rest before this runs).

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rackboot::bootd::render {

struct TemplateTag {
  enum class Type { kVariable, kSection, kInvertedSection };
  Type type = Type::kVariable;
  std::string name;                   // trimmed, as the engine looks it up
  std::vector<TemplateTag> children;  // sections only
};

// Fails on an unclosed tag or a section closed by another name (the
// engine's own parse fails on them too).
Result<std::vector<TemplateTag>> ParseTemplateTags(std::string_view tmpl);

}  // namespace rackboot::bootd::render
