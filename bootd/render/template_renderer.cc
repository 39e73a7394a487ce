#include "bootd/render/template_renderer.h"

namespace rackboot::bootd::render {

Status CheckTemplate(std::string_view tmpl) {
  size_t pos = 0;
  while ((pos = tmpl.find("{{", pos)) != std::string_view::npos) {
    pos += 2;
    // The engine trims any whitespace inside a tag ("{{\r\n& x}}" is an
    // unescaped tag), so skip all of it before looking at the sigil.
    while (pos < tmpl.size() && std::string_view(" \t\r\n\v\f").find(tmpl[pos]) != std::string_view::npos) ++pos;
    if (pos >= tmpl.size()) break;
    const char c = tmpl[pos];
    if (c == '{' || c == '&') return Error{"template uses an unescaped tag ({{{...}}} or {{&...}})"};
    if (c == '=') return Error{"template changes delimiters ({{=...=}}), which is not allowed"};
    if (c == '>' || c == '<') return Error{"template uses a partial, which is not allowed"};
  }
  return Status::Ok();
}

Result<std::string> RenderTemplate(std::string_view tmpl, const TemplateData& data, TargetLanguage language,
                                   const std::set<std::string>* trusted) {
  Status check = CheckTemplate(tmpl);
  if (!check.ok()) return Error{check.message()};
  kainjow::mustache::mustache engine{std::string(tmpl)};
  if (!engine.is_valid()) return Error{"template does not parse: " + engine.error_message()};
  // The engine's escape hook cannot fail, so the first failure is kept here
  // and the output is discarded afterwards.
  std::string first_error;
  engine.set_custom_escape([&](const std::string& value) -> std::string {
    if (trusted != nullptr && trusted->count(value) > 0) return value;
    Result<std::string> escaped = EscapeValue(language, value);
    if (!escaped.ok()) {
      if (first_error.empty()) first_error = escaped.error().message;
      return std::string();
    }
    return std::move(escaped).value();
  });
  std::string out = engine.render(data);
  if (!engine.is_valid()) return Error{"template does not render: " + engine.error_message()};
  if (!first_error.empty()) return Error{first_error};
  return out;
}

}  // namespace rackboot::bootd::render
