#pragma once
// The one table of template variables: what the renderer provides
// (bootd/render/machine_scripts.cc), what the static check accepts
// (bootd/render/template_check.h) and what docs/templates.md lists.
// A variable added to the renderer without a row here is caught by
// tests/unit/bootd/render/template_variables_test.cc (it renders every
// template kind and checks each provided name against the table).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rackboot::bootd::render {

// Which template a variable is visible in.
enum class TemplateKind : uint8_t {
  kCmdline = 1 << 0,        // spec.cmdline, spec.menu.entries[].cmdline
  kLoader = 1 << 1,         // iPXE direct boot, GRUB, pxelinux (built-in or spec.templates.*)
  kIpxeMenu = 1 << 2,       // the iPXE menu (built-in or spec.templates.ipxe when spec.menu is set)
  kInstallConfig = 1 << 3,  // spec.install.*
};
inline constexpr uint8_t kAllKinds = 0x0f;

enum class VariableType : uint8_t {
  kString,
  kBool,    // only useful as a section: {{#is_boot}}...{{/is_boot}}
  kObject,  // fixed fields: machine.*
  kMap,     // keys chosen by the operator: params.*, env.*, configs.*
  kList,    // a list section: {{#initrds}}...{{/initrds}}
};

struct TemplateVariable {
  // Dotted path; a list's item fields are "<list>.<field>" (initrds.url),
  // looked up inside the list's section.
  std::string_view name;
  VariableType type;
  uint8_t kinds;  // TemplateKind bits
  std::string_view example;
  std::string_view source;  // where the value comes from
};

std::span<const TemplateVariable> TemplateVariables();

// The row of `path`, or null. A map's keys ("params.console") find the
// map's row ("params").
const TemplateVariable* FindTemplateVariable(std::string_view path);

// A name other tools use for one of ours ({{hostname}} in Tinkerbell and
// matchbox templates): the name to use instead, for the error message.
std::optional<std::string_view> SuggestTemplateVariable(std::string_view name);

const char* TemplateKindName(TemplateKind kind);

}  // namespace rackboot::bootd::render
