#include "tests/support/test_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace rackboot::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(RACKBOOT_SOURCE_DIR) + "/" + relative;
}
std::string BinaryPath(const std::string& relative) {
  return std::string(RACKBOOT_BINARY_DIR) + "/" + relative;
}

std::string FindProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  std::stringstream ss(dirs);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace rackboot::testing
