// rackboot-crd-reference: docs/api-reference.md from the CRDs.
//
//   rackboot-crd-reference [--write FILE | --check FILE] CRD.yaml...
//
// Without a flag the reference goes to stdout. --write replaces FILE;
// --check leaves it alone and exits 1 when it differs from what would be
// written (the test that keeps the committed reference current). Any schema
// node without a description is an error naming file and line: exit 1, and
// nothing is written.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/yaml_config.h"
#include "tools/crd_reference/crd_reference.h"

namespace {

constexpr const char* kRegenerate = "ninja -C build/test api-reference";

int Usage() {
  std::cerr << "usage: rackboot-crd-reference [--write FILE | --check FILE] CRD.yaml...\n";
  return 2;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first line where the two texts differ, 1-based.
size_t FirstDifferentLine(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (size_t n = 1;; ++n) {
    const bool more_a = static_cast<bool>(std::getline(sa, la));
    const bool more_b = static_cast<bool>(std::getline(sb, lb));
    if (!more_a && !more_b) return 0;
    if (more_a != more_b || la != lb) return n;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode, target;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--write" || arg == "--check") {
      if (i + 1 >= argc || !mode.empty()) return Usage();
      mode = arg;
      target = argv[++i];
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) return Usage();

  std::vector<rackboot::tools::CrdReference> crds;
  bool undocumented = false;
  try {
    for (const auto& file : files) {
      crds.push_back(rackboot::tools::ReadCrd(rackboot::LoadYamlFile(file), file));
      for (const auto& problem : rackboot::tools::MissingDescriptions(crds.back())) {
        std::cerr << problem << "\n";
        undocumented = true;
      }
    }
  } catch (const std::exception& e) {  // ConfigError (file:line: field) or yaml-cpp's own
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (undocumented) {
    std::cerr << "rackboot-crd-reference: every schema node needs a description (kubectl explain shows it)\n";
    return 1;
  }
  const std::string reference = rackboot::tools::RenderApiReference(crds, kRegenerate);

  if (mode.empty()) {
    std::cout << reference;
    return 0;
  }
  if (mode == "--check") {
    const std::string committed = ReadAll(target);
    if (committed == reference) return 0;
    std::cerr << target << " is out of date (first difference at line " << FirstDifferentLine(committed, reference)
              << "); regenerate it: " << kRegenerate << "\n";
    return 1;
  }
  std::ofstream out(target, std::ios::trunc);
  out << reference;
  if (!out.flush()) {
    std::cerr << "cannot write " << target << "\n";
    return 1;
  }
  return 0;
}
