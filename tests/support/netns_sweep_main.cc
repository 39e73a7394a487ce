// rackboot_netns_sweep: removes namespaces left by killed test runs (owner pid
// gone). Run by ctest before and after the suite; safe to run by hand.
#include <cstdio>
#include <cstring>

#include "tests/support/netns_lab.h"

int main(int argc, char** argv) {
  bool all = argc > 1 && std::strcmp(argv[1], "--all") == 0;
  int n = rackboot::testing::NetnsLab::SweepStaleNamespaces(all);
  std::printf("swept %d stale test namespace(s)\n", n);
  return 0;
}
