#pragma once
// HttpServer: the socket layer under BootHttpHandler. One accept thread per
// listener.
// Plain HTTP: connections wait in an epoll set served by a few loop threads
// (one per hardware thread). A request whose answer is in memory (scripts,
// configs, events, errors) is answered right there with one non-blocking
// send: a rack booting at once is thousands of small script requests, where
// waking one thread per connection per request cost more than the requests.
// Anything that may block (a file body, a send that does not fit, a request
// body still arriving, a malformed request) hands the connection to its own
// thread with blocking I/O, as HTTPS connections always have: boot traffic
// is then a few hundred long downloads, where a thread per connection keeps
// sendfile() and OpenSSL simple. Plain HTTP bodies go out with sendfile(2);
// HTTPS reads the file into a buffer and SSL_write()s it.

#include <atomic>
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
#include "bootd/http/http_request_observer.h"
#include "bootd/http/tls_context.h"
#include "bootd/service.h"

namespace rackboot::bootd::http {

struct HttpServerOptions {
  std::string listen = "0.0.0.0:8080";  // "" = no plain listener
  std::string tls_listen;               // "" = no HTTPS listener
  std::string tls_cert_file;
  std::string tls_key_file;
  size_t max_connections = 512;
  int idle_timeout_seconds = 30;            // keep-alive and slow-client limit
  HttpRequestObserver* observer = nullptr;  // metrics hook; optional, not owned
};

class HttpServer : public Service {
 public:
  HttpServer(std::shared_ptr<BootHttpHandler> handler, HttpServerOptions options);
  ~HttpServer() override;
  std::string name() const override { return "http"; }
  Status Start() override;
  void Stop() override;
  // Bound ports (useful with port 0 in tests); 0 when not listening.
  uint16_t port() const { return port_; }
  uint16_t tls_port() const { return tls_port_; }
  uint64_t tls_reloads() const { return tls_ ? tls_->reloads() : 0; }

 private:
  struct PendingWrite;  // a response a loop thread started and a connection thread finishes
  struct LoopConnection {
    PeerInfo peer;
    std::string buf;  // bytes received, not yet consumed
    std::atomic<uint64_t> last_active_ms{0};
  };
  void AcceptLoop(int listen_fd, bool tls);
  void EventLoop(bool sweeps);
  void ServeReady(int fd);
  void HandOff(int fd, std::shared_ptr<PendingWrite> pending);
  void CloseLoopConnection(int fd);
  void SweepIdle();
  void ServeConnection(int fd, bool tls, PeerInfo peer, std::string buf, std::shared_ptr<PendingWrite> pending);

  std::shared_ptr<BootHttpHandler> handler_;
  HttpServerOptions options_;
  std::unique_ptr<TlsContextSource> tls_;
  int listen_fd_ = -1, tls_listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint16_t port_ = 0, tls_port_ = 0;
  int epoll_fd_ = -1;
  std::vector<std::thread> acceptors_;  // and event loop threads
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::set<int> active_fds_;                                             // connections served by their own thread
  std::unordered_map<int, std::unique_ptr<LoopConnection>> loop_conns_;  // in the epoll set
  size_t active_ = 0;                                                    // both kinds
  // Bounds how many connections encrypt file data at once (see http_server.cc).
  std::counting_semaphore<> cpu_gate_;
};

// Builds the handler from bootd's shared state and configuration.
std::unique_ptr<Service> MakeHttpService(BootdContext& ctx);

}  // namespace rackboot::bootd::http
