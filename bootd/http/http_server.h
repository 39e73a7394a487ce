#pragma once
// HttpServer: the socket layer under BootHttpHandler. One accept thread per
// listener.
// Plain HTTP: each connection belongs to one of a few loop threads (one per
// hardware thread, at least two; round-robin at accept), each with its own
// epoll set, as nginx has one per worker. The loop thread reads requests
// and sends every response itself with non-blocking I/O: in-memory answers
// (scripts, configs, events, errors) with send(), file bodies with
// sendfile(2). A response the socket cannot take yet waits in its
// connection (EPOLLOUT | EPOLLONESHOT) and goes on when the client has
// taken some; a file body gets at most kFileBytesPerTurn per wake-up, so one
// fast client cannot keep its loop thread from the others. Once a body is
// complete, the next request of a keep-alive connection is read.
// Why: a rack booting at once is thousands of small script requests plus a
// few hundred long downloads. Waking a thread per connection per script
// cost more than the scripts; a thread per download blocked in sendfile()
// meant 64 threads at 64 downloads on 2 cores, where nginx has 2 workers.
// Deadlines: the first loop thread sweeps once a second and shuts down
// connections past theirs: idle_timeout_seconds while waiting for a request
// (keep-alive, slow request heads), send_timeout_seconds while waiting for
// the client to take response bytes (any progress restarts it).
// Limits (connection_admission.h): at max_connections (max_tls_connections
// for HTTPS) the accept threads stop accepting and connections wait in the
// listen backlog; a client past max_per_client gets 503 + Retry-After.
// Requests that could block a loop thread go to the connection's own thread
// with blocking I/O: a request body still arriving, a malformed request,
// and /cached/ (may wait on an upstream download). HTTPS connections always
// have their own thread, which reads the file into a buffer and
// SSL_write()s it (see http_server.cc for the encryption slots).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <semaphore>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bootd/http/boot_http_handler.h"
#include "bootd/http/connection_admission.h"
#include "bootd/http/http_request_observer.h"
#include "bootd/http/tls_context.h"
#include "bootd/service.h"
#include "common/log_throttle.h"

namespace rackboot::bootd::http {

struct HttpServerOptions {
  std::string listen = "0.0.0.0:8080";  // "" = no plain listener
  std::string tls_listen;               // "" = no HTTPS listener
  std::string tls_cert_file;
  std::string tls_key_file;
  size_t max_connections = 4096;      // all connections; at the limit bootd stops accepting (connection_admission.h)
  size_t max_tls_connections = 1024;  // HTTPS connections, a thread each
  size_t max_per_client = 32;         // per client address; past it: 503 + Retry-After
  int listen_backlog = 4096;          // where connections wait while bootd is at its limit (capped by somaxconn)
  int idle_timeout_seconds = 30;      // keep-alive and slow-client limit
  int send_timeout_seconds = 120;     // a client that takes no response bytes for this long is dropped
  HttpRequestObserver* observer = nullptr;  // metrics hook; optional, not owned
};

class HttpServer : public Service {
 public:
  HttpServer(std::shared_ptr<BootHttpHandler> handler, HttpServerOptions options);
  ~HttpServer() override;
  std::string name() const override { return "http"; }
  Status Start() override;
  // Closes the listeners (new connections are refused) and ends keep-alive:
  // every response from now on says `Connection: close`, and connections
  // waiting for their next request are shut for reading (their clients see
  // the end of a keep-alive connection, which they may reuse no longer).
  void BeginDrain() override;
  DrainReport WaitDrained(std::chrono::steady_clock::time_point deadline) override;
  void Stop() override;
  // Bound ports (useful with port 0 in tests); 0 when not listening.
  uint16_t port() const { return port_; }
  uint16_t tls_port() const { return tls_port_; }
  uint64_t tls_reloads() const { return tls_ ? tls_->reloads() : 0; }

 private:
  struct ResponseInProgress;  // a response a loop thread is sending (http_server.cc)
  // A plain connection in a loop thread's epoll set. EPOLLONESHOT: only the
  // loop thread that got its event touches it until it is re-armed, handed
  // off or closed (and Stop() only after the loop threads are gone).
  struct LoopConnection {
    LoopConnection();
    ~LoopConnection();
    PeerInfo peer;
    ConnectionAdmission::Verdict verdict = ConnectionAdmission::Verdict::kServe;
    std::string buf;                               // bytes received, not yet consumed
    std::unique_ptr<ResponseInProgress> response;  // being sent; no request is read meanwhile
    std::atomic<int64_t> deadline_ms{0};           // SweepIdle() shuts the connection down past this
    std::atomic<bool> awaiting_request{false};     // between requests, nothing of the next one read
    int epoll_fd = -1;                             // the set of the loop thread that owns it
  };
  void AcceptLoop(int listen_fd, bool tls);
  void EventLoop(int epoll_fd, bool sweeps);
  void ServeReady(int fd);
  bool AdvanceResponse(int fd, LoopConnection& c, uint64_t* budget);
  void Rearm(int fd, LoopConnection& c, bool for_output);
  void HandOff(int fd);
  void CloseLoopConnection(int fd);
  void SweepIdle();
  // Connection threads: `fd` now waits for (or stopped waiting for) its
  // next request. False while draining: the connection closes instead.
  bool AwaitRequest(int fd, bool waiting);
  void ShutDrainedIdle();  // with mu_ held
  void ServeConnection(int fd, bool tls, PeerInfo peer, std::string buf, ConnectionAdmission::Verdict verdict);
  // Waits (mu_ held) while the listener's kind is at its limit; false once stopping.
  bool WaitForSlot(std::unique_lock<std::mutex>& lock, bool tls);
  // A connection closed: its slot goes back (mu_ held).
  void ReleaseSlot(const PeerInfo& peer, ConnectionAdmission::Verdict verdict);
  void NoteAtCapacity(HttpAdmissionEvent event, const char* what);

  std::shared_ptr<BootHttpHandler> handler_;
  HttpServerOptions options_;
  std::unique_ptr<TlsContextSource> tls_;
  int listen_fd_ = -1, tls_listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint16_t port_ = 0, tls_port_ = 0;
  std::vector<int> epoll_fds_;          // one per loop thread
  size_t next_loop_ = 0;                // round-robin over them (the accept thread only)
  std::vector<std::thread> acceptors_;  // and event loop threads
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  size_t active_at_drain_ = 0;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::set<int> active_fds_;                                             // connections served by their own thread
  std::set<int> awaiting_fds_;                                           // of those, waiting for a next request
  std::unordered_map<int, std::unique_ptr<LoopConnection>> loop_conns_;  // in the epoll set
  ConnectionAdmission admission_;                                        // both kinds; guarded by mu_
  std::condition_variable slot_cv_;                                      // a slot freed, or stopping
  log::LogThrottle capacity_log_{10000};
  // Bounds how many connections encrypt file data at once (see http_server.cc).
  std::counting_semaphore<> cpu_gate_;
};

// Builds the handler from bootd's shared state and configuration.
std::unique_ptr<Service> MakeHttpService(BootdContext& ctx);

}  // namespace rackboot::bootd::http
