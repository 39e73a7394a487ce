#pragma once
// Real binaries (bootd, rackboot-controller) as child processes for
// integration and e2e tests, and a free loopback port for them to listen on.

#include <sys/types.h>

#include <string>
#include <vector>

namespace rackboot::testing {

// A TCP port free right now on 127.0.0.1 (the child binds it a moment later).
int FreeLoopbackPort();

// A child process with stdout+stderr in `log`; killed with the parent
// (PR_SET_PDEATHSIG) and stopped (SIGTERM, reaped) when destroyed.
class ChildProcess {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& args, const std::string& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Sends `sig` and reaps; returns the exit code (-1: killed by a signal or not running).
  int Stop(int sig = 15 /* SIGTERM */);
  bool Running();
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  std::string log_;
  pid_t pid_ = -1;
};

// `bootd --config <config>` from the build tree.
class BootdProcess : public ChildProcess {
 public:
  BootdProcess(const std::string& config, const std::string& log);
};

}  // namespace rackboot::testing
