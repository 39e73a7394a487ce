#include "bootd/render/template_check.h"

#include <vector>

#include "bootd/render/template_tags.h"

namespace rackboot::bootd::render {
namespace {

// What a lookup stack frame is: the table path its names resolve under
// ("" for the top level, "entries" inside {{#entries}}), or opaque (a
// string section, whose names fall through to the frames below).
struct Frame {
  std::string prefix;
  bool opaque = false;
};

struct Lookup {
  const TemplateVariable* row = nullptr;
  std::string path;     // full table path, "params.console"
  bool is_key = false;  // a key of a map row
  bool key_set = true;  // false: a key the caller knows is not set
};

const std::optional<std::set<std::string>>* KeysOf(const TemplateKeys& keys, std::string_view map) {
  if (map == "params") return &keys.params;
  if (map == "configs") return &keys.configs;
  if (map == "env") return &keys.env;
  return nullptr;
}

// The engine's rule (kainjow context::get): the innermost frame where the
// whole dotted name resolves wins.
std::optional<Lookup> Resolve(const std::vector<Frame>& frames, const std::string& name, TemplateKind kind,
                              const TemplateKeys& keys) {
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    if (f->opaque) continue;
    Lookup l;
    l.path = f->prefix.empty() ? name : f->prefix + "." + name;
    l.row = FindTemplateVariable(l.path);
    if (l.row == nullptr || (l.row->kinds & static_cast<uint8_t>(kind)) == 0) continue;
    l.is_key = l.row->name != l.path;
    if (l.is_key) {
      const auto* known = KeysOf(keys, l.row->name);
      const std::string key = l.path.substr(l.row->name.size() + 1);
      l.key_set = known == nullptr || !known->has_value() || (*known)->count(key) > 0;
    }
    return l;
  }
  return std::nullopt;
}

const char* TypeName(VariableType t) {
  switch (t) {
    case VariableType::kString: return "a string";
    case VariableType::kBool: return "a flag";
    case VariableType::kObject: return "an object";
    case VariableType::kMap: return "a map";
    case VariableType::kList: return "a list";
  }
  return "a value";
}

Status Walk(const std::vector<TemplateTag>& tags, std::vector<Frame>* frames, TemplateKind kind,
            const TemplateKeys& keys) {
  for (const TemplateTag& tag : tags) {
    std::optional<Lookup> l = Resolve(*frames, tag.name, kind, keys);
    if (!l) return Error{UnknownVariableMessage(tag.name, keys)};
    if (tag.type == TemplateTag::Type::kVariable) {
      if (!l->key_set) return Error{UnknownVariableMessage(l->path, keys)};
      if (!l->is_key && l->row->type != VariableType::kString) {
        return Error{"uses {{" + tag.name + "}}, which is " + TypeName(l->row->type) + ": use it as a section {{#" +
                     tag.name + "}}...{{/" + tag.name + "}}"};
      }
      continue;
    }
    if (tag.type == TemplateTag::Type::kInvertedSection) {
      Status s = Walk(tag.children, frames, kind, keys);
      if (!s.ok()) return s;
      continue;
    }
    // A section over a key that is not set renders nothing: not checked
    // further, as the engine does not enter it either.
    if (!l->key_set) continue;
    const bool scope = !l->is_key && (l->row->type == VariableType::kList || l->row->type == VariableType::kObject ||
                                      l->row->type == VariableType::kMap);
    frames->push_back(scope ? Frame{l->path, false} : Frame{"", true});
    Status s = Walk(tag.children, frames, kind, keys);
    frames->pop_back();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

std::string UnknownVariableMessage(std::string_view name, const TemplateKeys& keys) {
  std::string msg = "uses unknown variable {{" + std::string(name) + "}}";
  const size_t dot = name.find('.');
  const std::string_view head = name.substr(0, dot);
  if (dot != std::string_view::npos && (head == "params" || head == "configs" || head == "env")) {
    const std::string key(name.substr(dot + 1));
    if (head == "params")
      msg += " (no parameter '" + key +
             "': set it in Machine spec.parameters or give the "
             "BootProfile's spec.parameters a default)";
    if (head == "configs") msg += " (the BootProfile has no install config '" + key + "' here)";
    if (head == "env") msg += " (bootd's http.environment has no '" + key + "')";
    return msg;
  }
  if (auto use = SuggestTemplateVariable(name)) {
    msg += " (did you mean " + std::string(use->starts_with("{{") ? "" : "{{") + std::string(*use) +
           (use->starts_with("{{") ? "" : "}}") + "?)";
  } else if ((keys.params && keys.params->count(std::string(name)) > 0) ||
             keys.param_hints.count(std::string(name)) > 0) {
    msg += " (did you mean {{params." + std::string(name) + "}}?)";
  } else {
    msg += " (docs/templates.md lists the variables)";
  }
  return msg;
}

Status CheckTemplateVariables(std::string_view tmpl, TemplateKind kind, const TemplateKeys& keys) {
  auto tags = ParseTemplateTags(tmpl);
  if (!tags.ok()) return tags.error();
  std::vector<Frame> frames{Frame{}};
  return Walk(*tags, &frames, kind, keys);
}

}  // namespace rackboot::bootd::render
