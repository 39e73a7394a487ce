#pragma once
// RaiseOpenFileLimit: lifts the soft RLIMIT_NOFILE to the hard limit. A
// rack's storm needs an fd per TFTP transfer and per HTTP connection (over
// 4,600 at bootd's defaults), and a plain shell or systemd service starts
// with a soft limit of 1024; the hard limit is what the operator allowed.
// Returns the soft limit now in force.

#include <sys/resource.h>

#include <cstdint>

namespace rackboot {

inline uint64_t RaiseOpenFileLimit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return 0;
  if (l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &l);
    ::getrlimit(RLIMIT_NOFILE, &l);
  }
  return static_cast<uint64_t>(l.rlim_cur);
}

}  // namespace rackboot
