#pragma once
// Test hook: reports the dotted path of every field a YamlMap
// (common/yaml_config.h) asks for, whether the file has it or not
// ("dhcp.pools[0].rangeStart"). With every section of a config present,
// that is exactly the set of keys its parser accepts, which
// tests/integration/helm/bootd_config_keys_check.cc compares with the
// chart's values schema so the two cannot drift.
// Not synchronised: set it before parsing, on the thread that parses, and
// reset it to nullptr afterwards. Production code never sets it.

#include <string>

namespace rackboot {

using YamlFieldObserver = void (*)(const std::string& field_path);
void SetYamlFieldObserver(YamlFieldObserver observer);

}  // namespace rackboot
