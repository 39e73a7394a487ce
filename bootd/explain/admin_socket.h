#pragma once
// bootd's local admin endpoint: HTTP/1.0 over a unix socket,
// <stateDir>/admin.sock. No TCP port: only processes on the rack host (or
// in bootd's pod, `kubectl exec`) that may open the file can ask, the file
// is mode 0600, and every connection's peer credentials (SO_PEERCRED) must
// be root or bootd's own user. What it serves holds no secret either
// (explanation.h masks them).
//
//   GET /v1/explain/<mac or machine name, percent-encoded>   text/plain
//
// curl --unix-socket /var/lib/rackboot/admin.sock http://bootd/v1/explain/52-54-00-12-34-56

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "bootd/config/bootd_config.h"
#include "bootd/service.h"
#include "common/result.h"

namespace rackboot::bootd::explain {

std::string AdminSocketPath(const BootdConfig& config);

class AdminSocketService : public Service {
 public:
  // `explain` answers one query (explanation.h); an error becomes a 404
  // with its message.
  using ExplainFn = std::function<Result<std::string>(const std::string& query)>;
  AdminSocketService(std::string path, ExplainFn explain);
  ~AdminSocketService() override;

  std::string name() const override { return "admin"; }
  // Never fails: without the socket (stateDir missing, path too long) bootd
  // serves as before and logs a warning.
  Status Start() override;
  void Stop() override;

 private:
  Status Open();
  void Loop();
  void Serve(int fd);

  std::string path_;
  ExplainFn explain_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
};

// The client half (`bootd explain` asking a running bootd).
struct AdminAnswer {
  bool reached = false;  // false: no bootd listens at the path (not running, other stateDir)
  int status = 0;
  std::string body;  // or, when not reached, why
};
AdminAnswer AskAdminSocket(const std::string& path, const std::string& query);

}  // namespace rackboot::bootd::explain
