#pragma once
// Where tests find the source tree (fixtures, examples) and built binaries.
#include <string>

namespace rackboot::testing {
std::string SourcePath(const std::string& relative);  // <repo>/relative
std::string BinaryPath(const std::string& relative);  // <build>/relative
// Path of a program on PATH, or "" (for optional real peers like dnsmasq).
std::string FindProgram(const std::string& name);
}  // namespace rackboot::testing
