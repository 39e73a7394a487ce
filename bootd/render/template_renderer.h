#pragma once
// Logic-less Mustache rendering (kainjow/mustache, Debian
// libkainjow-mustache-dev) with per-language escaping of every value.
// Mustache's {{var}} never clashes with iPXE's own ${var}.

#include <kainjow/mustache.hpp>
#include <set>
#include <string>
#include <string_view>

#include "bootd/render/value_escaping.h"
#include "common/result.h"

namespace rackboot::bootd::render {

using TemplateData = kainjow::mustache::data;
using TemplateList = kainjow::mustache::list;

// Templates may only use escaped {{var}} tags and sections: unescaped tags
// ({{{x}}}, {{&x}}), delimiter changes ({{=..=}}) and partials ({{>x}}) would
// let a value bypass escaping, so they are refused.
Status CheckTemplate(std::string_view tmpl);

// Renders `tmpl` with every {{var}} escaped for `language`. Values listed in
// `trusted` (text bootd itself built from operator input, e.g. a rendered
// kernel command line) are inserted as they are. Any unsafe value, and any
// name `data` does not hold ("uses unknown variable {{x}}"; a section may
// test a params/env/configs key that is not set), makes the whole render an
// Error: no partial output, never an empty string for a missing name.
Result<std::string> RenderTemplate(std::string_view tmpl, const TemplateData& data, TargetLanguage language,
                                   const std::set<std::string>* trusted = nullptr);

}  // namespace rackboot::bootd::render
