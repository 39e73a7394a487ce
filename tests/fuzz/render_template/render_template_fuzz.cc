// Fuzzes Mustache rendering with escaping. Input: byte 0 picks the target
// language; the rest is "template \0 value". Invariants: never crash, and a
// successful render never has more lines than its template (no value can add
// a line, hence no command), nor an iPXE "${" that the template did not have.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bootd/render/template_renderer.h"

using namespace rackboot::bootd::render;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 8192) return 0;
  const TargetLanguage lang = static_cast<TargetLanguage>(data[0] % 7);
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nul = rest.find('\0');
  std::string tmpl = rest.substr(0, nul);
  std::string value = nul == std::string::npos ? "" : rest.substr(nul + 1);
  TemplateData machine;
  machine.set("hostname", value);
  machine.set("name", "node-01");
  TemplateData d;
  d.set("machine", machine);
  d.set("v", value);
  d.set("flag", TemplateData::type::bool_true);
  auto out = RenderTemplate(tmpl, d, lang);
  if (!out.ok()) return 0;
  const auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
  if (lines(*out) > lines(tmpl)) __builtin_trap();
  if (lang == TargetLanguage::kIpxe) {
    size_t expansions_out = 0, expansions_tmpl = 0;
    for (size_t p = out->find("${"); p != std::string::npos; p = out->find("${", p + 1)) ++expansions_out;
    for (size_t p = tmpl.find("${"); p != std::string::npos; p = tmpl.find("${", p + 1)) ++expansions_tmpl;
    if (expansions_out > expansions_tmpl) __builtin_trap();
  }
  return 0;
}
