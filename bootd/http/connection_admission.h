#pragma once
// ConnectionAdmission: the HTTP server's connection limits as decisions,
// without sockets (the server calls it under its lock).
//  - Global (max_connections, and max_tls_connections because every HTTPS
//    connection has a thread): when full, the server stops accepting and new
//    connections wait in the kernel's listen backlog, as nginx does at
//    worker_connections. iPXE does not retry a fetch that fails (not on a
//    close, not on 503), so a storm must turn into waiting, never into a
//    connection closed without a response.
//  - Per client address (max_per_client): one client's many connections
//    must not take the slots of a rack (slow-loris). Its connections past
//    the limit are still answered: 503 with Retry-After, on a short
//    deadline, never a bare close. A booting machine opens one or two
//    connections, so a rack's storm never reaches this limit.

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace rackboot::bootd::http {

struct ConnectionLimits {
  size_t max_connections = 4096;
  size_t max_tls_connections = 1024;
  size_t max_per_client = 32;
};

class ConnectionAdmission {
 public:
  enum class Verdict {
    kServe,       // a normal connection
    kAnswerBusy,  // over the per-client limit: answer 503 + Retry-After and close
  };

  explicit ConnectionAdmission(ConnectionLimits limits) : limits_(limits) {}

  // True when a listener of this kind must stop accepting for now.
  bool Full(bool tls) const {
    return active_ >= limits_.max_connections || (tls && tls_active_ >= limits_.max_tls_connections);
  }
  // Counts an accepted connection of `client` (an IPv4 address).
  Verdict Admit(uint32_t client, bool tls);
  // The connection Admit() counted has closed.
  void Release(uint32_t client, bool tls, Verdict verdict);

  size_t active() const { return active_; }
  size_t tls_active() const { return tls_active_; }

 private:
  ConnectionLimits limits_;
  size_t active_ = 0;
  size_t tls_active_ = 0;
  std::unordered_map<uint32_t, size_t> per_client_;  // served connections only
};

}  // namespace rackboot::bootd::http
