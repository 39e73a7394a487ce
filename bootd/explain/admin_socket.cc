#include "bootd/explain/admin_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "bootd/http/http_request.h"
#include "bootd/http/http_response.h"
#include "common/log.h"

namespace rackboot::bootd::explain {
namespace {

constexpr size_t kMaxRequestBytes = 8192;
constexpr int kIoTimeoutSeconds = 10;
constexpr const char* kExplainPrefix = "/v1/explain/";

Result<sockaddr_un> SocketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return Error{"admin socket path too long: " + path};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void SetTimeouts(int fd) {
  timeval tv{kIoTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Percent-encodes a query for the request path ('/' too: "namespace/name").
std::string EncodeSegment(const std::string& text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string AdminSocketPath(const BootdConfig& config) {
  return config.state_dir + "/admin.sock";
}

AdminSocketService::AdminSocketService(std::string path, ExplainFn explain)
    : path_(std::move(path)), explain_(std::move(explain)) {}

AdminSocketService::~AdminSocketService() {
  Stop();
}

Status AdminSocketService::Start() {
  // Not fatal: without the socket bootd serves machines as before, and
  // `bootd explain` can still read the state offline.
  if (Status s = Open(); !s.ok()) {
    log::Warn("admin", "admin socket unavailable; bootd explain works offline only", {{"error", s.message()}});
    for (int* fd : {&listen_fd_, &stop_pipe_[0], &stop_pipe_[1]}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
    path_.clear();
    return Status::Ok();
  }
  thread_ = std::thread([this] { Loop(); });
  log::Info("admin", "listening", {{"socket", path_}});
  return Status::Ok();
}

Status AdminSocketService::Open() {
  auto addr = SocketAddress(path_);
  if (!addr.ok()) return addr.error();
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Error{std::string("socket: ") + std::strerror(errno)};
  // stateDir may not exist yet in an HTTP-only bootd; the host checks made
  // sure it can be created. Then a file left by a bootd that did not stop
  // cleanly goes.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  unlink(path_.c_str());
  if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un)) < 0) {
    return Error{path_ + ": " + std::strerror(errno)};
  }
  // 0600, so no other user can connect (not umask: it is process-wide, and
  // other services create files meanwhile). Until listen() nobody can
  // connect, and SO_PEERCRED is checked per connection anyway.
  if (chmod(path_.c_str(), 0600) < 0 || listen(listen_fd_, 16) < 0) {
    return Error{path_ + ": " + std::strerror(errno)};
  }
  if (pipe2(stop_pipe_, O_CLOEXEC) < 0) return Error{std::string("pipe: ") + std::strerror(errno)};
  return Status::Ok();
}

void AdminSocketService::Stop() {
  if (thread_.joinable()) {
    const char byte = 1;
    (void)!write(stop_pipe_[1], &byte, 1);
    thread_.join();
  }
  for (int* fd : {&listen_fd_, &stop_pipe_[0], &stop_pipe_[1]}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  if (!path_.empty()) unlink(path_.c_str());
  path_.clear();
}

void AdminSocketService::Loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::Error("admin", "poll failed", {{"error", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    // One request at a time: an explanation takes milliseconds, and the
    // timeouts bound a client that stalls.
    Serve(fd);
    close(fd);
  }
}

void AdminSocketService::Serve(int fd) {
  SetTimeouts(fd);
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || (cred.uid != 0 && cred.uid != geteuid())) {
    log::Warn("admin", "refused a client", {{"uid", static_cast<int64_t>(cred.uid)}});
    WriteAll(fd, http::SerializeHead(http::TextResponse(403, "forbidden\n"), false) + "forbidden\n");
    return;
  }
  std::string in;
  char buf[2048];
  std::optional<size_t> head_end;
  while (!(head_end = http::FindHeadEnd(in)) && in.size() < kMaxRequestBytes) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    in.append(buf, static_cast<size_t>(n));
  }
  http::HttpResponse r;
  auto req = head_end ? http::ParseRequestHead(std::string_view(in).substr(0, *head_end))
                      : Result<http::HttpRequest>(Error{"request too long"});
  if (!req.ok()) {
    r = http::TextResponse(400, "bad request: " + req.error().message + "\n");
  } else if (req->method != "GET") {
    r = http::TextResponse(405, "method not allowed\n");
  } else if (req->path.rfind(kExplainPrefix, 0) != 0) {
    r = http::TextResponse(404, "not found; GET " + std::string(kExplainPrefix) + "<mac or machine name>\n");
  } else if (auto query = http::PercentDecode(req->path.substr(std::strlen(kExplainPrefix)), false); !query.ok()) {
    r = http::TextResponse(400, "bad query: " + query.error().message + "\n");
  } else {
    auto text = explain_(*query);
    r = text.ok() ? http::TextResponse(200, *text) : http::TextResponse(404, text.error().message + "\n");
  }
  WriteAll(fd, http::SerializeHead(r, false) + r.body);
}

AdminAnswer AskAdminSocket(const std::string& path, const std::string& query) {
  AdminAnswer answer;
  auto addr = SocketAddress(path);
  if (!addr.ok()) {
    answer.body = addr.error().message;
    return answer;
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    answer.body = std::string("socket: ") + std::strerror(errno);
    return answer;
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un)) < 0) {
    answer.body = "no bootd answers at " + path + ": " + std::strerror(errno);
    close(fd);
    return answer;
  }
  answer.reached = true;
  SetTimeouts(fd);
  std::string response;
  if (WriteAll(fd, "GET " + std::string(kExplainPrefix) + EncodeSegment(query) + " HTTP/1.0\r\nHost: bootd\r\n\r\n")) {
    char buf[4096];
    for (;;) {
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      response.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  // "HTTP/1.0 200 OK\r\n...\r\n\r\nbody"
  const size_t body_at = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || body_at == std::string::npos || response.size() < 12) {
    answer.body = "bootd at " + path + " sent no valid answer";
    return answer;
  }
  answer.status = std::atoi(response.c_str() + 9);
  answer.body = response.substr(body_at + 4);
  return answer;
}

}  // namespace rackboot::bootd::explain
