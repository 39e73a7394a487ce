#include "bootd/render/template_renderer.h"

#include <memory>
#include <unordered_map>
#include <vector>

#include "bootd/render/template_check.h"
#include "bootd/render/template_tags.h"

namespace rackboot::bootd::render {
namespace {

using Engine = kainjow::mustache::mustache;
// A parsed template: the engine and the tag tree the strictness check walks.
struct Parsed {
  std::unique_ptr<Engine> engine;
  std::vector<TemplateTag> tags;
};
using EngineCache = std::unordered_map<std::string, Parsed>;
constexpr size_t kMaxParsedTemplatesPerThread = 64;

// Parsing is most of a render and a rack has a handful of distinct
// templates (profiles, command lines, install configs), so parsed engines
// are kept. Per thread, because an engine carries per-render state (its
// escape hook, its error); bounded by clearing.
EngineCache& ThreadEngines() {
  thread_local EngineCache cache;
  return cache;
}

// kainjow context::get: the innermost frame where the whole dotted name
// resolves wins.
const TemplateData* Lookup(const std::vector<const TemplateData*>& frames, const std::string& name) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    const TemplateData* v = *f;
    for (const std::string& p : parts) {
      v = v->get(p);
      if (v == nullptr) break;
    }
    if (v != nullptr) return v;
  }
  return nullptr;
}

bool IsMapKey(const std::string& name) {
  const TemplateVariable* row = FindTemplateVariable(name);
  return row != nullptr && row->type == VariableType::kMap && row->name != name;
}

// The engine renders a name it cannot find as nothing; this walk, over the
// same data and with the engine's own section rules, makes it an error
// instead. A section may test a map key that is not set
// ({{#params.x}}...{{/params.x}}); everything else must exist.
Status CheckData(const std::vector<TemplateTag>& tags, std::vector<const TemplateData*>* frames) {
  for (const TemplateTag& tag : tags) {
    const TemplateData* v = Lookup(*frames, tag.name);
    if (tag.type == TemplateTag::Type::kVariable) {
      if (v == nullptr) return Error{UnknownVariableMessage(tag.name, {})};
      if (!v->is_string()) return Error{"uses {{" + tag.name + "}}, which is not a string: use it as a section"};
      continue;
    }
    if (v == nullptr && !IsMapKey(tag.name)) return Error{UnknownVariableMessage(tag.name, {})};
    const bool falsy = v == nullptr || v->is_false() || v->is_empty_list();
    if (tag.type == TemplateTag::Type::kInvertedSection) {
      if (!falsy) continue;
      Status s = CheckData(tag.children, frames);
      if (!s.ok()) return s;
      continue;
    }
    if (falsy) continue;
    if (v->is_list()) {
      for (const TemplateData& item : v->list_value()) {
        frames->push_back(&item);
        Status s = CheckData(tag.children, frames);
        frames->pop_back();
        if (!s.ok()) return s;
      }
      continue;
    }
    frames->push_back(v);
    Status s = CheckData(tag.children, frames);
    frames->pop_back();
    if (!s.ok()) return s;
  }
  return Status::Ok();
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
    auto tags = ParseTemplateTags(tmpl);
    if (!tags.ok()) return tags.error();
    if (engines.size() >= kMaxParsedTemplatesPerThread) engines.clear();
    it = engines.emplace(std::move(key), Parsed{std::move(parsed), std::move(tags).value()}).first;
  }
  std::vector<const TemplateData*> frames{&data};
  Status strict = CheckData(it->second.tags, &frames);
  if (!strict.ok()) return Error{strict.message()};
  Engine& engine = *it->second.engine;
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
