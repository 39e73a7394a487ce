#pragma once
// "what: <strerror(errno)>", the message of a failed system call. Call it
// right after the call: anything in between may change errno.

#include <cerrno>
#include <cstring>
#include <string>

namespace rackboot {

inline std::string SysError(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace rackboot
