#pragma once
// Service: one network service of bootd (DHCP, TFTP, HTTP). main.cc starts
// the enabled ones, waits for SIGTERM/SIGINT, and stops them in reverse.

#include <string>

#include "common/result.h"

namespace rackboot::bootd {

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string name() const = 0;
  // Binds sockets and starts threads; an error here stops the daemon.
  virtual Status Start() = 0;
  // Stops accepting work, finishes or abandons in-flight work, joins threads.
  virtual void Stop() = 0;
};

}  // namespace rackboot::bootd
