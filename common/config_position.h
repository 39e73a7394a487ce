#pragma once
// Where a field was written: dotted field path ("dhcp.pools[0].subnet") ->
// 1-based line and column. Filled by YamlMap (common/yaml_config.h) as it
// reads; checks that run after parsing (bootd's host checks) use it to name
// the line of the field they reject. A header of its own so configuration
// structs can carry positions without including yaml-cpp.

#include <map>
#include <string>

namespace rackboot {

struct ConfigPosition {
  int line = 0;
  int column = 0;
};
using ConfigPositions = std::map<std::string, ConfigPosition>;

}  // namespace rackboot
