#pragma once
// Path traversal attempts against a TFTP root, generated programmatically.
// Shared by the unit test (NormalizeRequestPath + OpenConfined) and the
// integration test (the same names as RRQs over the wire).
//
// Layout the caller builds (see MakeTraversalLab):
//   <base>/canary.txt                  the secret outside the root
//   <base>/tftp-private/canary.txt     a sibling whose name extends the root's
//   <base>/tftp/                       the TFTP root
//     ok.txt
//     link-out       -> ../canary.txt         (relative symlink escaping)
//     abs-link       -> <base>/canary.txt     (absolute symlink)
//     dir-up         -> ..                    (directory symlink escaping)
//     sib-link       -> ../tftp-private       (sibling prefix via symlink)
//     inner-link     -> ok.txt                (stays inside: allowed)

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace rackboot::bootd::tftp::testing {

inline constexpr const char* kCanary = "CANARY-7f3a9-outside-the-root";

inline void MakeTraversalLab(const std::string& base) {
  ::mkdir(base.c_str(), 0755);
  ::mkdir((base + "/tftp").c_str(), 0755);
  ::mkdir((base + "/tftp-private").c_str(), 0755);
  std::ofstream(base + "/canary.txt") << kCanary;
  std::ofstream(base + "/tftp-private/canary.txt") << kCanary;
  std::ofstream(base + "/tftp/ok.txt") << "inside";
  [[maybe_unused]] int r = ::symlink("../canary.txt", (base + "/tftp/link-out").c_str());
  r = ::symlink((base + "/canary.txt").c_str(), (base + "/tftp/abs-link").c_str());
  r = ::symlink("..", (base + "/tftp/dir-up").c_str());
  r = ::symlink("../tftp-private", (base + "/tftp/sib-link").c_str());
  r = ::symlink("ok.txt", (base + "/tftp/inner-link").c_str());
}

// Request file names (raw bytes; some contain NUL or '\').
inline std::vector<std::string> TraversalVariants(const std::string& base) {
  std::vector<std::string> out;
  const std::vector<std::string> ups = {"../",   "..\\",  "....//", "..././", ".../",  "%2e%2e/", "%2e%2e%2f",
                                        "..%2f", "..%5c", ".%2e/",  "%2e./",  "..//",  "./../",   "..\\/",
                                        "../\\", ".. /",  "..;/",   "..\t/",  "..%00/"};
  const std::vector<std::string> prefixes = {"", "/", "./", "pxelinux.cfg/", "\\", "//"};
  const std::vector<std::string> targets = {"canary.txt", "tftp-private/canary.txt"};
  for (const auto& up : ups) {
    for (int depth = 1; depth <= 3; ++depth) {
      for (const auto& prefix : prefixes) {
        for (const auto& target : targets) {
          std::string name = prefix;
          for (int i = 0; i < depth; ++i) name += up;
          out.push_back(name + target);
        }
      }
    }
  }
  // Absolute paths of the secret, in several spellings.
  for (const std::string& abs : {base + "/canary.txt", base + "/tftp/../canary.txt", base + "/tftp-private/canary.txt",
                                 base + "/tftp/../tftp-private/canary.txt"}) {
    out.push_back(abs);
    out.push_back("/" + abs);
    std::string back = abs;
    for (char& c : back) c = c == '/' ? '\\' : c;
    out.push_back(back);
  }
  // Symlinks in the root that lead out.
  for (const char* s :
       {"link-out", "abs-link", "dir-up/canary.txt", "dir-up/tftp-private/canary.txt", "sib-link/canary.txt",
        "/link-out", "\\abs-link", "./dir-up/canary.txt", "dir-up/tftp/dir-up/canary.txt", "sib-link/../canary.txt"}) {
    out.push_back(s);
  }
  // Embedded NUL: what a C server would truncate.
  for (const std::string s : {"ok.txt", "pxelinux.cfg/default"}) {
    out.push_back(s + std::string(1, '\0') + "/../../canary.txt");
    out.push_back(std::string("../../canary.txt") + std::string(1, '\0') + s);
  }
  // Sibling prefix spelled directly.
  out.push_back("../tftp-private/canary.txt");
  out.push_back("/../tftp-private/canary.txt");
  out.push_back("tftp/../../tftp-private/canary.txt");
  return out;
}

}  // namespace rackboot::bootd::tftp::testing
