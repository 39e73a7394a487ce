#include "bootd/http/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/clock.h"
#include "common/log.h"
#include "common/open_file_limit.h"

namespace rackboot::bootd::http {
namespace {

// File body bytes one loop thread sends for one connection per wake-up
// (over all its responses) before the connection goes behind the other
// ready ones: on loopback a fast client could otherwise take the socket's
// free space forever and starve the other connections of that thread.
constexpr uint64_t kFileBytesPerTurn = 1 << 20;

// Encrypting file data is CPU work with nothing to wait for; with one thread
// per connection, 64 downloads would be 64 threads encrypting at once on a
// few cores, thrashing caches and the scheduler (CPU-s/GB tripled at 64
// connections). Each chunk is encrypted holding one of `hardware threads`
// slots, taken only once the socket has room, so a slot is never held while
// waiting for a slow client.
constexpr size_t kTlsFileChunk = 64 * 1024;

// Waits until `fd` can take more data (or the send timeout passes).
bool WaitWritable(int fd, int timeout_ms) {
  pollfd p{fd, POLLOUT, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0 && (p.revents & POLLOUT) != 0;
  }
}

class CpuSlot {
 public:
  explicit CpuSlot(std::counting_semaphore<>& gate) : gate_(gate) { gate_.acquire(); }
  ~CpuSlot() { gate_.release(); }
  CpuSlot(const CpuSlot&) = delete;
  CpuSlot& operator=(const CpuSlot&) = delete;

 private:
  std::counting_semaphore<>& gate_;
};

// A connection's byte stream: plain socket or TLS on top of it.
class Stream {
 public:
  Stream(int fd, SSL* ssl, std::counting_semaphore<>* cpu_gate, int send_timeout_ms)
      : fd_(fd), ssl_(ssl), cpu_gate_(cpu_gate), send_timeout_ms_(send_timeout_ms) {}
  ~Stream() {
    if (ssl_ != nullptr) {
      SSL_shutdown(ssl_);
      SSL_free(ssl_);
    }
  }
  ssize_t Read(char* buf, size_t n) {
    if (ssl_ == nullptr) {
      for (;;) {
        ssize_t r = ::recv(fd_, buf, n, 0);
        if (r < 0 && errno == EINTR) continue;
        return r;
      }
    }
    int r = SSL_read(ssl_, buf, static_cast<int>(n));
    return r > 0 ? r : -1;
  }
  bool WriteAll(const char* data, size_t n) {
    while (n > 0) {
      ssize_t w;
      if (ssl_ == nullptr) {
        w = ::send(fd_, data, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
      } else {
        w = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(n, 1 << 20)));
      }
      if (w <= 0) return false;
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  // Sends [offset, offset+length) of `file_fd`; returns bytes sent.
  uint64_t SendFile(int file_fd, uint64_t offset, uint64_t length) {
    uint64_t sent = 0;
    if (ssl_ == nullptr) {
      off_t off = static_cast<off_t>(offset);
      while (sent < length) {
        ssize_t w = ::sendfile(fd_, file_fd, &off, std::min<uint64_t>(length - sent, 1 << 30));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        sent += static_cast<uint64_t>(w);
      }
      return sent;
    }
    std::vector<char> buf(kTlsFileChunk);
    while (sent < length) {
      if (!WaitWritable(fd_, send_timeout_ms_)) break;
      CpuSlot slot(*cpu_gate_);
      ssize_t r = ::pread(file_fd, buf.data(), std::min<uint64_t>(buf.size(), length - sent),
                          static_cast<off_t>(offset + sent));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0 || !WriteAll(buf.data(), static_cast<size_t>(r))) break;
      sent += static_cast<uint64_t>(r);
    }
    return sent;
  }

 private:
  int fd_;
  SSL* ssl_;
  std::counting_semaphore<>* cpu_gate_;
  int send_timeout_ms_;
};

Result<int> Listen(const std::string& address, int backlog, uint16_t* bound_port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return Error{"listen address must be host:port: " + address};
  std::string host = address.substr(0, colon);
  int port = std::atoi(address.c_str() + colon + 1);
  if (port < 0 || port > 65535) return Error{"bad port in " + address};
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (host.empty()) host = "0.0.0.0";
  if (inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) return Error{"bad IPv4 address in " + address};
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, backlog) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return Error{"cannot listen on " + address + ": " + err};
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *bound_port = ntohs(sa.sin_port);
  return fd;
}

// What a response needs once it is on its way: the request path for the
// observer and the clocks for on_complete and the latency metric.
struct ResponseMeta {
  std::string path;
  bool with_body = false;
  bool keep = false;
  std::chrono::steady_clock::time_point handle_start;
  int64_t write_start_ms = 0;
};

// The head and, for an in-memory body, the body: one write, one segment.
std::string SerializeForWire(const HttpResponse& resp, const ResponseMeta& m) {
  std::string out = SerializeHead(resp, m.keep);
  if (m.with_body && !resp.file) out += resp.body;
  return out;
}

ResponseMeta MetaFor(const HttpRequest& req, const HttpResponse& resp, bool keep,
                     std::chrono::steady_clock::time_point handle_start) {
  ResponseMeta m;
  m.path = req.path;
  m.with_body = !resp.head_only && resp.status != 304;
  m.keep = keep;
  m.handle_start = handle_start;
  m.write_start_ms = SteadyMillis();
  return m;
}

// Once a response went out completely: the completion hook (responses
// with a body) and the observer, both with the body bytes sent.
void ReportResponse(HttpResponse& resp, const ResponseMeta& m, HttpRequestObserver* observer) {
  const uint64_t sent = m.with_body ? resp.ContentLength() : 0;
  if (m.with_body && resp.on_complete) resp.on_complete(sent, static_cast<uint64_t>(SteadyMillis() - m.write_start_ms));
  if (observer) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - m.handle_start;
    observer->OnResponse(m.path, resp.status, sent, took.count());
  }
}

// Connection threads: after the serialized part went out, the file body
// (if any), then the report. False when the client went away.
bool SendBodyAndReport(Stream& stream, HttpResponse& resp, const ResponseMeta& m, HttpRequestObserver* observer) {
  if (m.with_body && resp.file &&
      stream.SendFile(resp.file->fd.get(), resp.file_offset, resp.file_length) != resp.file_length) {
    return false;  // client gone mid-body: the length promise is broken, nothing to report
  }
  ReportResponse(resp, m, observer);
  return true;
}

// Only connection threads block; these bound how long (loop connections
// have deadlines instead, see HttpServer::Rearm).
void SetConnectionOptions(int fd, int idle_timeout_seconds, int send_timeout_seconds) {
  timeval tv{idle_timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  timeval send_tv{send_timeout_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_tv, sizeof send_tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// A connection past its client's limit: how long it may take to send its
// request (and take the answer), and the answer, which names the wait.
constexpr int kBusyAnswerSeconds = 5;
HttpResponse BusyResponse() {
  HttpResponse r = TextResponse(503, "too many connections from this client; retry later\n");
  r.SetHeader("Retry-After", "1");  // RFC 9110 §10.2.3
  return r;
}

constexpr int kLoopEvents = 16;  // per epoll_wait: small, so loop threads share the ready connections

// How far one non-blocking push of a response got.
enum class PushResult {
  kDone,        // every byte is in the socket
  kSocketFull,  // wait for EPOLLOUT
  kTurnUsed,    // kFileBytesPerTurn sent: let the other ready connections go first
  kFailed,      // the client went away (or the file shrank)
};

bool WouldBlock() {
  return errno == EAGAIN || errno == EWOULDBLOCK;
}

}  // namespace

struct HttpServer::ResponseInProgress {
  std::string out;  // serialized bytes not yet sent: the head, and an in-memory body
  HttpResponse resp;
  ResponseMeta meta;
  uint64_t file_sent = 0;  // file body bytes already sent
  bool corked = false;     // TCP_CORK is on while the head and file body are sent

  // Sends what the socket takes without blocking: the rest of `out`, then
  // the file body, taking at most *budget body bytes (and counting them off).
  PushResult Push(int fd, uint64_t* budget) {
    const bool file_body = meta.with_body && resp.file && resp.file_length > 0;
    if (file_body && !corked) {
      // Head and body leave in full segments: the connection has
      // TCP_NODELAY (scripts must not wait for Nagle), which would push
      // every partial sendfile() as a short segment of its own.
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
      corked = true;
    }
    while (!out.empty()) {
      ssize_t w = ::send(fd, out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return WouldBlock() ? PushResult::kSocketFull : PushResult::kFailed;
      out.erase(0, static_cast<size_t>(w));
    }
    if (!meta.with_body || !resp.file) return PushResult::kDone;
    while (file_sent < resp.file_length) {
      if (*budget == 0) return PushResult::kTurnUsed;
      off_t off = static_cast<off_t>(resp.file_offset + file_sent);
      ssize_t w = ::sendfile(fd, resp.file->fd.get(), &off, std::min(resp.file_length - file_sent, *budget));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return WouldBlock() ? PushResult::kSocketFull : PushResult::kFailed;
      if (w == 0) return PushResult::kFailed;  // the file shrank under us: Content-Length cannot be kept
      file_sent += static_cast<uint64_t>(w);
      *budget -= static_cast<uint64_t>(w);
    }
    if (corked) {
      int zero = 0;  // the last partial segment leaves now
      ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero);
      corked = false;
    }
    return PushResult::kDone;
  }
};

// Out of line: ResponseInProgress is complete only here.
HttpServer::LoopConnection::LoopConnection() = default;
HttpServer::LoopConnection::~LoopConnection() = default;

HttpServer::HttpServer(std::shared_ptr<BootHttpHandler> handler, HttpServerOptions options)
    : handler_(std::move(handler)),
      options_(std::move(options)),
      admission_(ConnectionLimits{options_.max_connections, options_.max_tls_connections, options_.max_per_client}),
      cpu_gate_(std::max<std::ptrdiff_t>(1, std::thread::hardware_concurrency())) {}

HttpServer::~HttpServer() {
  Stop();
}

Status HttpServer::Start() {
  // A client that goes away mid-download makes the next sendfile()/write()
  // (OpenSSL's too) raise SIGPIPE, whose default action kills bootd; ignored,
  // it is an EPIPE on that one connection.
  ::signal(SIGPIPE, SIG_IGN);
  const uint64_t fd_limit = RaiseOpenFileLimit();
  if (fd_limit < options_.max_connections + 64) {
    log::Warn("http", "open file limit below http.maxConnections: a storm will fail accept() before the limit",
              {{"nofile", fd_limit}, {"max_connections", options_.max_connections}});
  }
  if (!options_.tls_listen.empty()) {
    auto tls = TlsContextSource::Create(options_.tls_cert_file, options_.tls_key_file);
    if (!tls.ok()) return tls.error();
    tls_ = std::move(tls).value();
  }
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) return Error{"pipe2 failed"};
  if (!options_.listen.empty()) {
    auto fd = Listen(options_.listen, options_.listen_backlog, &port_);
    if (!fd.ok()) return fd.error();
    listen_fd_ = *fd;
    // One epoll set per loop thread, as nginx has one per worker: a
    // connection's events wake only the thread that owns it. With one set
    // shared by all loop threads, sockets hopped between threads (and CPUs)
    // and 64 downloads measured slower (docs/benchmarks.md).
    const unsigned loops = std::max(2u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < loops; ++i) {
      int ep = ::epoll_create1(EPOLL_CLOEXEC);
      if (ep < 0) return Error{std::string("epoll_create1: ") + std::strerror(errno)};
      epoll_fds_.push_back(ep);
      // Level-triggered and never drained: once Stop() writes, every loop
      // thread sees it.
      epoll_event wake{};
      wake.events = EPOLLIN;
      wake.data.fd = wake_pipe_[0];
      ::epoll_ctl(ep, EPOLL_CTL_ADD, wake_pipe_[0], &wake);
    }
    for (unsigned i = 0; i < loops; ++i) acceptors_.emplace_back([this, i] { EventLoop(epoll_fds_[i], i == 0); });
    acceptors_.emplace_back([this] { AcceptLoop(listen_fd_, false); });
  }
  if (!options_.tls_listen.empty()) {
    auto fd = Listen(options_.tls_listen, options_.listen_backlog, &tls_port_);
    if (!fd.ok()) return fd.error();
    tls_listen_fd_ = *fd;
    acceptors_.emplace_back([this] { AcceptLoop(tls_listen_fd_, true); });
  }
  log::Info("http", "listening", {{"port", port_}, {"tls_port", tls_port_}});
  return Status::Ok();
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);  // an accept thread waiting for a slot sees stopping_
  }
  slot_cv_.notify_all();
  if (wake_pipe_[1] >= 0) {
    char c = 1;
    (void)!::write(wake_pipe_[1], &c, 1);
  }
  for (auto& t : acceptors_) t.join();
  acceptors_.clear();
  {
    // No loop thread runs any more: their connections just close. Then
    // unblock every connection thread and wait for them to leave.
    std::unique_lock<std::mutex> lock(mu_);
    for (auto& [fd, conn] : loop_conns_) {
      ::close(fd);
      ReleaseSlot(conn->peer, conn->verdict);
    }
    loop_conns_.clear();
    for (int fd : active_fds_) ::shutdown(fd, SHUT_RDWR);
    idle_cv_.wait(lock, [this] { return admission_.active() == 0; });
  }
  for (int* fd : {&listen_fd_, &tls_listen_fd_, &wake_pipe_[0], &wake_pipe_[1]}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  for (int ep : epoll_fds_) ::close(ep);
  epoll_fds_.clear();
}

void HttpServer::AcceptLoop(int listen_fd, bool tls) {
  pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
  while (!stopping_) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!WaitForSlot(lock, tls)) break;
    }
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0 || draining_) break;
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    // Loop connections are non-blocking: sendfile(2) has no MSG_DONTWAIT.
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC | (tls ? 0 : SOCK_NONBLOCK));
    if (fd < 0) continue;
    PeerInfo info;
    info.ip = Ipv4Address(ntohl(peer.sin_addr.s_addr));
    info.tls = tls;
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) {
      lock.unlock();
      ::close(fd);  // shutting down: the listen socket closes next
      continue;
    }
    const ConnectionAdmission::Verdict verdict = admission_.Admit(ntohl(peer.sin_addr.s_addr), tls);
    const bool busy = verdict != ConnectionAdmission::Verdict::kServe;
    // A connection answered busy gets a short deadline: a client past its
    // limit must not hold a slot of the rack for the whole idle timeout.
    const int idle_seconds =
        busy ? std::min(options_.idle_timeout_seconds, kBusyAnswerSeconds) : options_.idle_timeout_seconds;
    SetConnectionOptions(fd, idle_seconds, busy ? kBusyAnswerSeconds : options_.send_timeout_seconds);
    if (tls) {
      active_fds_.insert(fd);
      lock.unlock();
      if (busy) NoteAtCapacity(HttpAdmissionEvent::kClientOverLimit, "client over its connection limit: 503");
      std::thread([this, fd, info, verdict] { ServeConnection(fd, true, info, {}, verdict); }).detach();
      continue;
    }
    auto conn = std::make_unique<LoopConnection>();
    conn->peer = info;
    conn->verdict = verdict;
    conn->deadline_ms = SteadyMillis() + int64_t{idle_seconds} * 1000;
    conn->epoll_fd = epoll_fds_[next_loop_++ % epoll_fds_.size()];
    const int ep = conn->epoll_fd;
    loop_conns_[fd] = std::move(conn);
    lock.unlock();
    if (busy) NoteAtCapacity(HttpAdmissionEvent::kClientOverLimit, "client over its connection limit: 503");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
}

bool HttpServer::WaitForSlot(std::unique_lock<std::mutex>& lock, bool tls) {
  if (stopping_ || draining_) return false;
  if (!admission_.Full(tls)) return true;
  // Not accepting is the backpressure: new connections wait in the listen
  // backlog (and past it, the kernel drops their SYN and the client's TCP
  // retries), each served once a slot frees. Accepting and closing would
  // fail the boot: iPXE does not retry.
  lock.unlock();
  NoteAtCapacity(HttpAdmissionEvent::kAcceptPaused,
                 tls ? "https connection limit: accepting paused" : "connection limit: accepting paused");
  lock.lock();
  slot_cv_.wait(lock, [&] { return stopping_ || draining_ || !admission_.Full(tls); });
  return !stopping_ && !draining_;
}

void HttpServer::ReleaseSlot(const PeerInfo& peer, ConnectionAdmission::Verdict verdict) {
  admission_.Release(peer.ip ? peer.ip->value() : 0, peer.tls, verdict);
  slot_cv_.notify_all();  // both accept threads: either kind may be waiting
  if (admission_.active() == 0) idle_cv_.notify_all();
}

// Overload is visible: a counter per event and a warn line at most every
// few seconds with how many events it stands for.
void HttpServer::NoteAtCapacity(HttpAdmissionEvent event, const char* what) {
  if (options_.observer != nullptr) options_.observer->OnAdmission(event);
  const uint64_t events = capacity_log_.Note(SteadyMillis());
  if (events == 0) return;
  log::Warn("http", "at capacity: boots are delayed",
            {{"what", what},
             {"events", events},
             {"max_connections", options_.max_connections},
             {"max_tls_connections", options_.max_tls_connections},
             {"max_per_client", options_.max_per_client}});
}

void HttpServer::EventLoop(int epoll_fd, bool sweeps) {
  epoll_event events[kLoopEvents];
  int64_t next_sweep = SteadyMillis() + 1000;
  while (!stopping_) {
    int n = ::epoll_wait(epoll_fd, events, kLoopEvents, sweeps ? 1000 : -1);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n && !stopping_; ++i) {
      if (events[i].data.fd == wake_pipe_[0]) return;
      ServeReady(events[i].data.fd);
    }
    if (sweeps && SteadyMillis() >= next_sweep) {
      SweepIdle();
      next_sweep = SteadyMillis() + 1000;
    }
  }
}

// Connections past their deadline (see Rearm) are shut down: the loop
// thread then gets EPOLLHUP, its read or send fails, and it closes them.
// One being served right now has no deadline (ServeReady clears it).
void HttpServer::SweepIdle() {
  const int64_t now = SteadyMillis();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [fd, conn] : loop_conns_) {
    if (conn->deadline_ms < now) ::shutdown(fd, SHUT_RDWR);
  }
  if (draining_) ShutDrainedIdle();
}

void HttpServer::BeginDrain() {
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_ || stopping_) return;
  draining_ = true;
  active_at_drain_ = admission_.active();
  // The accept threads see their listener readable (the shutdown) and
  // leave; connections not yet accepted are reset, and new ones refused.
  for (int fd : {listen_fd_, tls_listen_fd_}) {
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  slot_cv_.notify_all();  // an accept thread waiting for a slot leaves too
  ShutDrainedIdle();
}

// Shut for reading: the waiting read returns end-of-stream and the
// connection closes; data already received is still read and answered.
void HttpServer::ShutDrainedIdle() {
  for (auto& [fd, conn] : loop_conns_) {
    if (conn->awaiting_request) ::shutdown(fd, SHUT_RD);
  }
  for (int fd : awaiting_fds_) ::shutdown(fd, SHUT_RD);
}

bool HttpServer::AwaitRequest(int fd, bool waiting) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!waiting) {
    awaiting_fds_.erase(fd);
    return true;
  }
  if (draining_) return false;
  awaiting_fds_.insert(fd);
  return true;
}

DrainReport HttpServer::WaitDrained(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait_until(lock, deadline, [this] { return admission_.active() == 0; });
  const size_t left = admission_.active();
  return {active_at_drain_ > left ? active_at_drain_ - left : 0, left};
}

// One readiness event of a plain connection: first the response in
// progress, if any; then every request received, answered in order.
void HttpServer::ServeReady(int fd) {
  LoopConnection* c = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = loop_conns_.find(fd);
    if (it == loop_conns_.end()) return;
    c = it->second.get();
  }
  c->deadline_ms = INT64_MAX;
  c->awaiting_request = false;
  // File body bytes this wake-up may send, over all responses.
  uint64_t budget = kFileBytesPerTurn;
  if (c->response && !AdvanceResponse(fd, *c, &budget)) return;
  bool eof = false;
  char chunk[16 * 1024];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) {
      c->buf.append(chunk, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof chunk || c->buf.size() > kMaxRequestHeadBytes) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    eof = !(n < 0 && WouldBlock());
    break;
  }
  // Requests already received are answered even when the client has
  // half-closed, as the connection threads do.
  for (;;) {
    std::optional<size_t> head_end = FindHeadEnd(c->buf);
    if (!head_end) {
      if (c->buf.size() > kMaxRequestHeadBytes) return HandOff(fd);  // its thread answers 431
      break;
    }
    auto req = ParseRequestHead(std::string_view(c->buf).substr(0, *head_end));
    // Errors (400) and request bodies still arriving: the connection thread
    // parses again and deals with them, blocking where it must.
    if (!req.ok() || c->buf.size() < *head_end + req->content_length) return HandOff(fd);
    // A request that may wait (an upstream download behind /cached/) is
    // answered by the connection's own thread, never by a loop thread.
    if (BootHttpHandler::MayBlock(*req)) return HandOff(fd);
    c->buf.erase(0, *head_end + req->content_length);
    const auto handle_start = std::chrono::steady_clock::now();
    auto r = std::make_unique<ResponseInProgress>();
    const bool busy = c->verdict != ConnectionAdmission::Verdict::kServe;
    r->resp = busy ? BusyResponse() : handler_->Handle(*req, c->peer);
    r->meta = MetaFor(*req, r->resp, req->KeepAlive() && !stopping_ && !draining_ && !busy, handle_start);
    r->out = SerializeForWire(r->resp, r->meta);
    c->response = std::move(r);
    if (!AdvanceResponse(fd, *c, &budget)) return;
  }
  if (eof || stopping_) return CloseLoopConnection(fd);
  Rearm(fd, *c, /*for_output=*/false);
}

// Pushes the connection's response on. True when it went out completely and
// the connection stays for its next request; false when the connection was
// re-armed for output (socket full or turn used up) or closed: either way
// this thread must not touch it any more.
bool HttpServer::AdvanceResponse(int fd, LoopConnection& c, uint64_t* budget) {
  const PushResult pushed = c.response->Push(fd, budget);
  if (pushed == PushResult::kFailed) {  // nothing to report, as on connection threads
    CloseLoopConnection(fd);
    return false;
  }
  if (pushed != PushResult::kDone) {  // socket full or turn used up
    Rearm(fd, c, /*for_output=*/true);
    return false;
  }
  ReportResponse(c.response->resp, c.response->meta, options_.observer);
  const bool keep = c.response->meta.keep;
  c.response.reset();
  if (keep) return true;
  CloseLoopConnection(fd);
  return false;
}

// Waits for the connection's next event: room in the socket while a
// response is in progress, else its next request; with the matching
// deadline for SweepIdle. From the epoll_ctl on, the connection belongs to
// whichever loop thread gets that event.
void HttpServer::Rearm(int fd, LoopConnection& c, bool for_output) {
  const int timeout_seconds = for_output ? options_.send_timeout_seconds : options_.idle_timeout_seconds;
  c.deadline_ms = SteadyMillis() + int64_t{timeout_seconds} * 1000;
  c.awaiting_request = !for_output && c.buf.empty();
  // Draining: no next request. The read side's end wakes the loop thread,
  // which closes the connection (a request racing in is still answered).
  if (c.awaiting_request && draining_) ::shutdown(fd, SHUT_RD);
  epoll_event ev{};
  // No EPOLLIN/EPOLLRDHUP while sending: pipelined requests can wait in the
  // socket, and a half-closed client would wake the loop at once on every
  // re-arm. EPOLLHUP and EPOLLERR are always reported.
  ev.events = (for_output ? EPOLLOUT : EPOLLIN | EPOLLRDHUP) | EPOLLONESHOT;
  ev.data.fd = fd;
  ::epoll_ctl(c.epoll_fd, EPOLL_CTL_MOD, fd, &ev);
}

void HttpServer::HandOff(int fd) {
  // Connection threads block, bounded by SO_RCVTIMEO/SO_SNDTIMEO.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::unique_ptr<LoopConnection> conn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = loop_conns_.find(fd);
    if (it == loop_conns_.end()) return;
    ::epoll_ctl(it->second->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    conn = std::move(it->second);
    loop_conns_.erase(it);
    active_fds_.insert(fd);
  }
  std::thread([this, fd, peer = conn->peer, verdict = conn->verdict, buf = std::move(conn->buf)]() mutable {
    ServeConnection(fd, false, peer, std::move(buf), verdict);
  }).detach();
}

void HttpServer::CloseLoopConnection(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = loop_conns_.find(fd);
  if (it == loop_conns_.end()) return;  // Stop() closed it already
  ::epoll_ctl(it->second->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  ReleaseSlot(it->second->peer, it->second->verdict);
  loop_conns_.erase(it);
  ::close(fd);
}

// A connection with its own thread and blocking I/O: every HTTPS
// connection, and plain ones a loop thread handed over (with what it had
// read).
void HttpServer::ServeConnection(int fd, bool tls, PeerInfo peer, std::string buf,
                                 ConnectionAdmission::Verdict verdict) {
  SSL* ssl = nullptr;
  bool ok = true;
  if (tls) {
    std::shared_ptr<SSL_CTX> ctx = tls_->Current();
    ssl = SSL_new(ctx.get());  // holds its own reference to ctx
    if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
      ERR_clear_error();
      ok = false;
    }
  }
  {
    Stream stream(fd, ssl, &cpu_gate_, options_.send_timeout_seconds * 1000);
    char chunk[16 * 1024];
    while (ok && !stopping_) {
      std::optional<size_t> head_end;
      while (!(head_end = FindHeadEnd(buf))) {
        if (buf.size() > kMaxRequestHeadBytes) break;
        // Between requests a drain may end the connection (BeginDrain).
        const bool between_requests = buf.empty();
        if (between_requests && !AwaitRequest(fd, true)) break;
        ssize_t n = stream.Read(chunk, sizeof chunk);
        if (between_requests) AwaitRequest(fd, false);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
      }
      if (!head_end) {
        if (buf.size() > kMaxRequestHeadBytes) {
          HttpResponse r = TextResponse(431, "request head too large\n");
          std::string head = SerializeHead(r, false);
          stream.WriteAll(head.data(), head.size());
          stream.WriteAll(r.body.data(), r.body.size());
        }
        break;
      }
      auto req = ParseRequestHead(std::string_view(buf).substr(0, *head_end));
      if (!req.ok()) {
        log::Debug("http", "bad request", {{"error", req.error().message}});
        HttpResponse r = TextResponse(400, "bad request: " + req.error().message + "\n");
        std::string head = SerializeHead(r, false);
        stream.WriteAll(head.data(), head.size());
        stream.WriteAll(r.body.data(), r.body.size());
        break;
      }
      // Drop the request body (only /booted takes POST; its body is unused).
      size_t need = *head_end + req->content_length;
      while (buf.size() < need) {
        ssize_t n = stream.Read(chunk, sizeof chunk);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
      }
      if (buf.size() < need) break;
      buf.erase(0, need);

      const auto handle_start = std::chrono::steady_clock::now();
      const bool busy = verdict != ConnectionAdmission::Verdict::kServe;
      HttpResponse resp = busy ? BusyResponse() : handler_->Handle(*req, peer);
      const ResponseMeta meta =
          MetaFor(*req, resp, req->KeepAlive() && !stopping_ && !draining_ && !busy, handle_start);
      const std::string out = SerializeForWire(resp, meta);
      if (!stream.WriteAll(out.data(), out.size())) break;
      if (!SendBodyAndReport(stream, resp, meta, options_.observer)) break;
      if (!meta.keep) break;
    }
  }  // Stream closes TLS before the socket goes
  std::lock_guard<std::mutex> lock(mu_);
  active_fds_.erase(fd);
  awaiting_fds_.erase(fd);
  ::close(fd);
  ReleaseSlot(peer, verdict);
}

}  // namespace rackboot::bootd::http
