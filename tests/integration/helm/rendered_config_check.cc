// Loads every controller.yaml / bootd.yaml found in ConfigMaps of a rendered
// chart (helm template output, multi-document YAML) with the binaries' own
// strict config loaders, so the chart cannot render a config that
// rackboot-controller or bootd would refuse at start-up.
// Usage: rendered_config_check <rendered.yaml> <scratch dir>
// Prints one line per config; exits 1 on the first ConfigError.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <string>

#include "bootd/config/bootd_config.h"
#include "common/yaml_config.h"
#include "controller/config/controller_config.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: rendered_config_check <rendered.yaml> <scratch dir>\n";
    return 2;
  }
  int checked = 0;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(argv[1])) {
    if (!doc.IsMap() || !doc["kind"] || doc["kind"].as<std::string>() != "ConfigMap" || !doc["data"]) continue;
    std::string name = doc["metadata"]["name"].as<std::string>();
    for (const auto& entry : doc["data"]) {
      std::string key = entry.first.as<std::string>();
      if (key != "controller.yaml" && key != "bootd.yaml") continue;
      std::string path = std::string(argv[2]) + "/" + name + "-" + key;
      std::ofstream(path) << entry.second.as<std::string>();
      try {
        if (key == "controller.yaml") {
          rackboot::controller::ControllerConfig c = rackboot::controller::LoadControllerConfig(path);
          std::cout << name << "/" << key << ": ok, " << c.racks.size() << " racks\n";
        } else {
          rackboot::bootd::BootdConfig c = rackboot::bootd::LoadBootdConfig(path);
          std::cout << name << "/" << key << ": ok, rack " << c.rack << "\n";
        }
      } catch (const rackboot::ConfigError& e) {
        std::cerr << name << "/" << key << ": " << e.what() << "\n";
        return 1;
      }
      ++checked;
    }
  }
  if (checked == 0) {
    std::cerr << "no controller.yaml or bootd.yaml in " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
