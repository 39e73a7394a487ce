#pragma once
// Path traversal variants shared by the unit and integration tests: every
// one aims at a canary outside the artifact root.
#include <string>
#include <vector>

namespace rackboot::testing {

inline std::vector<std::string> TraversalVariants(const std::string& canary_name) {
  const std::vector<std::string> ups = {"..",    "%2e%2e", "%2E%2E", ".%2e",       "%2e.", "%2E.",
                                        "..%00", "....",   "...",    "%252e%252e", ".%2E", "%2e%2E"};
  const std::vector<std::string> seps = {"/", "%2f", "%2F", "\\", "%5c", "%5C", "//", "/./"};
  std::vector<std::string> out;
  for (const auto& up : ups) {
    for (const auto& sep : seps) {
      out.push_back("/artifacts/" + up + sep + canary_name);
      out.push_back("/artifacts/sub/" + up + sep + up + sep + canary_name);
    }
  }
  // Absolute paths, NULs, sibling prefixes, symlinks, encoded slashes.
  for (const std::string& v : std::vector<std::string>{"/artifacts//etc/passwd",
                                                       "/artifacts/%2fetc%2fpasswd",
                                                       "/artifacts/%2F" + canary_name,
                                                       "/artifacts/" + canary_name + "%00.img",
                                                       "/artifacts/%00",
                                                       "/artifacts/..",
                                                       "/artifacts/../",
                                                       "/artifacts/./../" + canary_name,
                                                       "/artifacts/sub/../../" + canary_name,
                                                       "/artifacts/..%5c" + canary_name,
                                                       "/artifacts/..\\" + canary_name,
                                                       "/artifacts/escape-link",
                                                       "/artifacts/escape-link/x",
                                                       "/artifacts/abs-link",
                                                       "/artifacts/dir-link/" + canary_name,
                                                       "/artifacts/../root-private/secret",
                                                       "/artifacts/..%2froot-private%2fsecret",
                                                       "/boot/52-54-00-12-34-56/../../" + canary_name,
                                                       "/boot/52-54-00-12-34-56/%2e%2e/%2e%2e/" + canary_name,
                                                       "/boot/52-54-00-12-34-56/escape-link",
                                                       "/artifacts/%c0%ae%c0%ae/" + canary_name,
                                                       "/artifacts/%u002e%u002e/" + canary_name,
                                                       "/artifacts/.%00./" + canary_name,
                                                       "/artifacts/..;/" + canary_name,
                                                       "/artifacts/%2e%2e;/" + canary_name}) {
    out.push_back(v);
  }
  return out;
}

}  // namespace rackboot::testing
