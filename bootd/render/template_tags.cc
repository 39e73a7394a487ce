#include "bootd/render/template_tags.h"

namespace rackboot::bootd::render {
namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

}  // namespace

Result<std::vector<TemplateTag>> ParseTemplateTags(std::string_view tmpl) {
  std::vector<TemplateTag> root;
  // Open sections, innermost last; each points into its parent's children.
  std::vector<std::vector<TemplateTag>*> open{&root};
  std::vector<std::string> open_names;
  size_t pos = 0;
  while ((pos = tmpl.find("{{", pos)) != std::string_view::npos) {
    const size_t end = tmpl.find("}}", pos + 2);
    if (end == std::string_view::npos) return Error{"template has an unclosed tag {{"};
    std::string_view body = Trim(tmpl.substr(pos + 2, end - pos - 2));
    pos = end + 2;
    if (body.empty()) return Error{"template has an empty tag {{}}"};
    const char sigil = body.front();
    if (sigil == '!') continue;  // comment
    std::string name(Trim(sigil == '#' || sigil == '^' || sigil == '/' ? body.substr(1) : body));
    if (name.empty()) return Error{"template has a tag without a name"};
    if (sigil == '/') {
      if (open_names.empty() || open_names.back() != name) {
        return Error{"template closes section {{/" + name + "}} that is not open"};
      }
      open.pop_back();
      open_names.pop_back();
      continue;
    }
    TemplateTag tag;
    tag.name = name;
    tag.type = sigil == '#'   ? TemplateTag::Type::kSection
               : sigil == '^' ? TemplateTag::Type::kInvertedSection
                              : TemplateTag::Type::kVariable;
    open.back()->push_back(std::move(tag));
    if (sigil == '#' || sigil == '^') {
      open.push_back(&open.back()->back().children);
      open_names.push_back(name);
    }
  }
  if (!open_names.empty()) return Error{"template leaves section {{#" + open_names.back() + "}} open"};
  return root;
}

}  // namespace rackboot::bootd::render
