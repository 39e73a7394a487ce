#include "bootd/render/template_renderer.h"

#include <memory>
#include <unordered_map>

namespace rackboot::bootd::render {
namespace {

using Engine = kainjow::mustache::mustache;
using EngineCache = std::unordered_map<std::string, std::unique_ptr<Engine>>;
constexpr size_t kMaxParsedTemplatesPerThread = 64;

// Parsing is most of a render and a rack has a handful of distinct
// templates (profiles, command lines, install configs), so parsed engines
// are kept. Per thread, because an engine carries per-render state (its
// escape hook, its error); bounded by clearing.
EngineCache& ThreadEngines() {
  thread_local EngineCache cache;
  return cache;
}

}  // namespace

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
  EngineCache& engines = ThreadEngines();
  std::string key(tmpl);
  auto it = engines.find(key);
  if (it == engines.end()) {
    // Only templates that pass both checks are kept, so a hit needs neither.
    Status check = CheckTemplate(tmpl);
    if (!check.ok()) return Error{check.message()};
    auto parsed = std::make_unique<Engine>(key);
    if (!parsed->is_valid()) return Error{"template does not parse: " + parsed->error_message()};
    if (engines.size() >= kMaxParsedTemplatesPerThread) engines.clear();
    it = engines.emplace(std::move(key), std::move(parsed)).first;
  }
  Engine& engine = *it->second;
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
  if (!engine.is_valid()) {
    // The engine keeps its error: drop it so the next render parses afresh.
    Error failed{"template does not render: " + engine.error_message()};
    engines.erase(it);
    return failed;
  }
  if (!first_error.empty()) return Error{first_error};
  return out;
}

}  // namespace rackboot::bootd::render
