#pragma once
// Service: one network service of bootd (DHCP, TFTP, HTTP, the controller
// agent). main.cc starts the enabled ones and, on SIGTERM/SIGINT, stops them
// gracefully: BeginDrain() on every service, WaitDrained() on every service
// against one deadline (so all drain at once), then Stop() in reverse.

#include <chrono>
#include <cstddef>
#include <string>

#include "common/result.h"

namespace rackboot::bootd {

// What one service did with its in-flight work during a graceful stop.
struct DrainReport {
  size_t finished = 0;   // in flight when the drain began, done before the deadline
  size_t abandoned = 0;  // still in flight at the deadline (Stop() ends them)
};

class Service {
 public:
  virtual ~Service() = default;
  virtual std::string name() const = 0;
  // Binds sockets and starts threads; an error here stops the daemon.
  virtual Status Start() = 0;
  // Graceful stop, first half: take no new work (new transfers, connections,
  // requests); what is in flight goes on. Services with nothing to drain
  // keep the default.
  virtual void BeginDrain() {}
  // Second half: returns once the in-flight work is done or at `deadline`.
  virtual DrainReport WaitDrained(std::chrono::steady_clock::time_point deadline) {
    (void)deadline;
    return {};
  }
  // Stops accepting work, abandons what is still in flight, joins threads.
  virtual void Stop() = 0;
};

}  // namespace rackboot::bootd
