#include "bootd/tftp/tftp_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <variant>
#include <vector>

#include "bootd/tftp/block_source.h"
#include "bootd/tftp/deadline_queue.h"
#include "bootd/tftp/options.h"
#include "bootd/tftp/packet.h"
#include "bootd/tftp/path_confinement.h"
#include "bootd/tftp/read_transfer.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/open_file_limit.h"
#include "common/sys_error.h"

namespace rackboot::bootd::tftp {
namespace {

constexpr const char* kComponent = "tftp";
// netascii is converted in memory; boot files are binary, so keep it small.
constexpr uint64_t kMaxNetasciiSize = 16 << 20;

std::string AddrString(const sockaddr_in& a) {
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(a.sin_port));
}

uint64_t ClientKey(const sockaddr_in& a) {
  return uint64_t{ntohl(a.sin_addr.s_addr)} << 16 | ntohs(a.sin_port);
}

Result<sockaddr_in> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Error{"listen must be HOST:PORT, got \"" + listen + "\""};
  auto ip = Ipv4Address::Parse(listen.substr(0, colon));
  auto port = ParseDecimal(listen.substr(colon + 1));
  if (!ip || !port || *port > 65535) return Error{"listen must be IPv4:PORT, got \"" + listen + "\""};
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(ip->value());
  a.sin_port = htons(static_cast<uint16_t>(*port));
  return a;
}

// Socket buffers of transfer sockets: a window of 64 x 1468-byte blocks is
// ~150 KiB of kernel memory (skb truesize); ask for room for a few windows
// (the kernel caps the request at net.core.{w,r}mem_max).
constexpr int kTransferSocketBuffer = 1 << 20;

// The packets one event makes a transfer send (a whole RFC 7440 window),
// sent with one sendmmsg instead of one send per block.
class SendBatch {
 public:
  void Add(std::span<const uint8_t> p) {
    if (count_ == slots_.size()) slots_.emplace_back();
    slots_[count_].assign(p.begin(), p.end());
    ++count_;
  }
  // Sends everything on the connected socket `fd`. Datagrams the kernel
  // refuses (EAGAIN with a full send buffer, ECONNREFUSED after an ICMP
  // error) are dropped: the retransmission timer recovers, as after a loss.
  void Flush(int fd) {
    iov_.resize(count_);
    msgs_.resize(count_);
    for (size_t i = 0; i < count_; ++i) {
      iov_[i] = {slots_[i].data(), slots_[i].size()};
      msgs_[i] = {};
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
    size_t sent = 0;
    while (sent < count_) {
      const int n = ::sendmmsg(fd, msgs_.data() + sent, static_cast<unsigned>(count_ - sent), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    count_ = 0;
  }
  PacketSink sink() {
    return [this](std::span<const uint8_t> p) { Add(p); };
  }

 private:
  std::vector<std::vector<uint8_t>> slots_;  // reused: no allocation per packet
  size_t count_ = 0;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> msgs_;
};

}  // namespace

struct ActiveTransfer {
  int fd = -1;
  uint64_t client_key = 0;
  sockaddr_in client = {};
  std::string path;
  bool rendered = false;
  int64_t started_ms = 0;
  std::unique_ptr<BlockSource> source;
  std::unique_ptr<ReadTransfer> transfer;
};

class TftpService::Loop {
 public:
  explicit Loop(TftpService* service) : svc_(service), buffer_(65536) {}
  ~Loop() {
    for (auto& [fd, t] : transfers_) ::close(fd);
    for (int fd : {listen_fd_, epoll_fd_, wake_fd_, root_fd_}) {
      if (fd >= 0) ::close(fd);
    }
  }

  // Loop 0 also owns the listening socket (`listen` true).
  Status Open(bool listen);
  void Run();
  // From the listening loop's thread: start this request on this loop.
  void Post(PendingRequest r) {
    {
      std::lock_guard<std::mutex> lock(inbox_mu_);
      inbox_.push_back(std::move(r));
    }
    Wake();
  }
  void Wake() {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  }
  uint16_t port() const { return port_; }

 private:
  void Drain(int fd);
  void OnRequestDatagram(size_t len, const sockaddr_in& client, in_addr local);
  // Starts a request assigned to this loop (TftpService::Assign); releases
  // the assignment when the request is refused or cannot start.
  void StartTransfer(const Request& req, const sockaddr_in& client, in_addr local);
  void SendError(in_addr local, const sockaddr_in& client, ErrorCode code, const std::string& message);
  int OpenTransferSocket(in_addr local, const sockaddr_in& client);
  void OnTransferReadable(ActiveTransfer& t);
  // After an event: flushes what the transfer queued, then re-arms its timer
  // or closes it when it finished.
  void AfterEvent(ActiveTransfer& t);
  void Close(int fd);
  void RecordCompletion(const ActiveTransfer& t, int64_t now);

  void TakeInbox();

  TftpService* svc_;
  std::mutex inbox_mu_;
  std::vector<PendingRequest> inbox_;
  std::vector<uint8_t> buffer_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int root_fd_ = -1;
  uint16_t port_ = 0;
  in_addr listen_addr_ = {};
  std::atomic<bool> stop_{false};
  std::unordered_map<int, std::unique_ptr<ActiveTransfer>> transfers_;
  size_t assigned_ = 0;      // transfers and queued requests; guarded by svc_->clients_mu_
  DeadlineQueue deadlines_;  // keyed by transfer socket fd
  SendBatch batch_;

  friend class TftpService;
};

Status TftpService::Loop::Open(bool listen) {
  const TftpConfig& c = svc_->config_;
  root_fd_ = ::open(c.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) return Error{SysError(("tftp root " + c.root).c_str())};
  Result<sockaddr_in> addr = ParseListen(c.listen);
  if (!addr.ok()) return addr.error();
  listen_addr_ = addr->sin_addr;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return Error{SysError("epoll/eventfd")};
  epoll_event wake_ev = {};
  wake_ev.events = EPOLLIN;
  wake_ev.data.fd = wake_fd_;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake_ev) != 0) return Error{SysError("epoll_ctl")};
  if (!listen) return Status::Ok();
  listen_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Error{SysError("socket")};
  const int on = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  ::setsockopt(listen_fd_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0) {
    return Error{SysError(("bind " + c.listen).c_str())};
  }
  sockaddr_in bound = {};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.sin_port);
  epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) return Error{SysError("epoll_ctl")};
  return Status::Ok();
}

void TftpService::Loop::TakeInbox() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);  // reset the eventfd
  std::vector<PendingRequest> inbox;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox.swap(inbox_);
  }
  for (const PendingRequest& r : inbox) StartTransfer(r.request, r.client, r.local);
}

void TftpService::Loop::Run() {
  std::vector<epoll_event> events(256);
  while (!stop_.load()) {
    int64_t now = SteadyMillis();
    const int64_t next = deadlines_.Next().value_or(now + 1000);
    const int wait_ms = static_cast<int>(std::clamp<int64_t>(next - now, 0, 1000));
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), wait_ms);
    if (n < 0 && errno != EINTR) {
      log::Error(kComponent, "epoll_wait failed", {{"error", std::strerror(errno)}});
      return;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        TakeInbox();
        continue;
      }
      if (fd == listen_fd_) {
        Drain(fd);
        continue;
      }
      auto it = transfers_.find(fd);
      if (it == transfers_.end()) continue;
      OnTransferReadable(*it->second);
      AfterEvent(*it->second);
    }
    // Only the transfers whose timer is due (deadline order).
    now = SteadyMillis();
    for (uint64_t fd : deadlines_.PopDue(now)) {
      auto it = transfers_.find(static_cast<int>(fd));
      if (it == transfers_.end()) continue;
      it->second->transfer->OnDeadline(now, batch_.sink());
      AfterEvent(*it->second);
    }
  }
}

void TftpService::Loop::AfterEvent(ActiveTransfer& t) {
  batch_.Flush(t.fd);
  if (t.transfer->finished()) {
    Close(t.fd);  // invalidates t
    return;
  }
  deadlines_.Schedule(static_cast<uint64_t>(t.fd), t.transfer->deadline_ms());
}

void TftpService::Loop::Drain(int fd) {
  while (true) {
    sockaddr_in client = {};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))];
    iovec iov = {buffer_.data(), buffer_.size()};
    msghdr msg = {};
    msg.msg_name = &client;
    msg.msg_namelen = sizeof client;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &msg, 0);
    if (n < 0) return;  // EAGAIN: drained
    in_addr local = listen_addr_;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        local = info.ipi_spec_dst;  // the address the client talked to
      }
    }
    OnRequestDatagram(static_cast<size_t>(n), client, local);
  }
}

void TftpService::Loop::OnRequestDatagram(size_t len, const sockaddr_in& client, in_addr local) {
  if (ntohs(client.sin_port) == 0) return;  // cannot answer port 0
  Result<Packet> p = DecodePacket(std::span<const uint8_t>(buffer_.data(), len));
  if (!p.ok()) {
    ++svc_->counters_.malformed;
    log::Debug(kComponent, "malformed request dropped",
               {{"client", AddrString(client)}, {"reason", p.error().message}});
    // Answer only datagrams that look like requests; never answer ERROR/ACK
    // (no packet storms between two servers).
    const uint16_t op = len >= 2 ? static_cast<uint16_t>(buffer_[0] << 8 | buffer_[1]) : 0;
    if (op == 1 || op == 2) SendError(local, client, ErrorCode::kIllegalOperation, "malformed request");
    return;
  }
  const Request* req = std::get_if<Request>(&*p);
  if (req == nullptr) return;  // stray DATA/ACK/ERROR on port 69: ignore
  ++svc_->counters_.requests;
  if (svc_->draining_.load()) {
    ++svc_->counters_.ignored_draining;
    return;
  }
  if (req->opcode == Opcode::kWrq) {
    ++svc_->counters_.refused;
    log::Info(kComponent, "write request refused", {{"client", AddrString(client)}, {"file", req->filename}});
    SendError(local, client, ErrorCode::kAccessViolation, "read-only server");
    return;
  }
  // A retransmitted RRQ of a client (TID) that already has a transfer, or a
  // request queued on a loop, is ignored: the transfer's timer answers it.
  PendingRequest pending{*req, client, local};
  Loop* owner = svc_->Assign(ClientKey(client), pending);
  if (owner == nullptr) return;
  if (owner != this) {
    owner->Post(std::move(pending));
    return;
  }
  StartTransfer(*req, client, local);
}

void TftpService::Loop::SendError(in_addr local, const sockaddr_in& client, ErrorCode code,
                                  const std::string& message) {
  // RFC 1350 §4: replies come from a fresh TID, errors included.
  const int fd = OpenTransferSocket(local, client);
  if (fd < 0) return;
  const std::vector<uint8_t> pkt = EncodeError(code, message);
  ::send(fd, pkt.data(), pkt.size(), 0);
  ::close(fd);
}

int TftpService::Loop::OpenTransferSocket(in_addr local, const sockaddr_in& client) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in bind_addr = {};
  bind_addr.sin_family = AF_INET;
  bind_addr.sin_addr = local;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&bind_addr), sizeof bind_addr) != 0 ||
      ::connect(fd, reinterpret_cast<const sockaddr*>(&client), sizeof client) != 0) {
    log::Warn(kComponent, "transfer socket failed", {{"client", AddrString(client)}, {"error", std::strerror(errno)}});
    ::close(fd);
    return -1;
  }
  for (int opt : {SO_SNDBUF, SO_RCVBUF}) {
    ::setsockopt(fd, SOL_SOCKET, opt, &kTransferSocketBuffer, sizeof kTransferSocketBuffer);
  }
  return fd;
}

void TftpService::Loop::StartTransfer(const Request& req, const sockaddr_in& client, in_addr local) {
  const TftpConfig& c = svc_->config_;
  auto refuse = [&](ErrorCode code, const std::string& message, const std::string& reason) {
    ++svc_->counters_.refused;
    log::Info(kComponent, "read request refused",
              {{"client", AddrString(client)}, {"file", req.filename.substr(0, 256)}, {"reason", reason}});
    // Released before the ERROR leaves: a client that asks for its next
    // file from the same port right away is a new request, not a retransmit.
    svc_->Release(ClientKey(client), this);
    SendError(local, client, code, message);
  };
  if (req.mode != "octet" && req.mode != "netascii") {
    return refuse(ErrorCode::kIllegalOperation, "unsupported mode", "mode " + req.mode.substr(0, 16));
  }
  Result<std::string> path = NormalizeRequestPath(req.filename);
  if (!path.ok()) return refuse(ErrorCode::kAccessViolation, "access violation", path.error().message);

  auto t = std::make_unique<ActiveTransfer>();
  t->client = client;
  t->client_key = ClientKey(client);
  t->path = *path;
  const Ipv4Address client_ip(ntohl(client.sin_addr.s_addr));
  std::optional<std::string> rendered;
  if (svc_->files_) rendered = svc_->files_->Render(*path, client_ip);
  if (rendered) {
    t->rendered = true;
    t->source = std::make_unique<MemoryBlockSource>(req.mode == "netascii" ? ToNetascii(*rendered) : *rendered);
  } else {
    ConfinedFile file;
    OpenFailure failure;
    if (!OpenConfined(root_fd_, *path, &file, &failure)) {
      if (failure.reason == PathRefusal::kNotFound)
        return refuse(ErrorCode::kFileNotFound, "file not found", "not found");
      return refuse(ErrorCode::kAccessViolation, "access violation",
                    failure.err ? std::strerror(failure.err) : "not a regular file");
    }
    auto source = std::make_unique<FileBlockSource>(file.fd, file.size);
    if (req.mode == "netascii") {
      if (file.size > kMaxNetasciiSize)
        return refuse(ErrorCode::kNotDefined, "file too large for netascii", "netascii");
      std::string content(file.size, '\0');
      Result<size_t> n = source->ReadAt(0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(content.data()), file.size));
      if (!n.ok()) return refuse(ErrorCode::kNotDefined, "read error", n.error().message);
      content.resize(*n);
      t->source = std::make_unique<MemoryBlockSource>(ToNetascii(content));
    } else {
      t->source = std::move(source);
    }
  }

  t->fd = OpenTransferSocket(local, client);
  if (t->fd < 0) {
    svc_->Release(t->client_key, this);
    return;
  }
  // RFC 2348: a block must fit the path; IP_MTU on the connected socket is
  // the interface (or path) MTU towards this client.
  OptionLimits limits;
  limits.max_blksize = static_cast<uint16_t>(c.max_blksize);
  limits.max_windowsize = static_cast<uint16_t>(c.max_windowsize);
  int mtu = 0;
  socklen_t mtu_len = sizeof mtu;
  if (::getsockopt(t->fd, IPPROTO_IP, IP_MTU, &mtu, &mtu_len) == 0 && mtu > 0) {
    limits.max_blksize = std::min(limits.max_blksize, BlockSizeForMtu(mtu));
  }
  RetransmitPolicy policy;
  policy.initial_timeout_ms = c.retransmit_millis;
  policy.max_timeout_ms = std::max<int64_t>(c.retransmit_millis * int64_t{8}, 1000);
  policy.max_retries = c.max_retries;
  t->transfer =
      std::make_unique<ReadTransfer>(NegotiateOptions(req.options, limits, t->source->size()), t->source.get(), policy);
  t->started_ms = SteadyMillis();
  epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.fd = t->fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, t->fd, &ev) != 0) {
    ::close(t->fd);
    svc_->Release(t->client_key, this);
    return;
  }
  log::Debug(kComponent, "transfer started",
             {{"client", AddrString(client)},
              {"file", t->path},
              {"size", t->source->size()},
              {"blksize", t->transfer->options().blksize},
              {"windowsize", t->transfer->options().windowsize}});
  t->transfer->Start(t->started_ms, batch_.sink());
  ActiveTransfer& started = *t;
  transfers_[t->fd] = std::move(t);
  ++svc_->active_;
  AfterEvent(started);
}

void TftpService::Loop::OnTransferReadable(ActiveTransfer& t) {
  const int sock = t.fd;
  // One datagram per readiness event: epoll is level-triggered, so a second
  // queued ACK wakes the loop again, and lockstep transfers (one ACK per
  // DATA) save the recv that would only return EAGAIN.
  const ssize_t n = ::recv(sock, buffer_.data(), buffer_.size(), 0);
  if (n < 0) {
    // ECONNREFUSED: ICMP port unreachable, the client is gone. Let the
    // timer decide; a dead client stops ACKing anyway.
    return;
  }
  t.transfer->OnDatagram(std::span<const uint8_t>(buffer_.data(), static_cast<size_t>(n)), SteadyMillis(),
                         batch_.sink());
}

TftpService::Loop* TftpService::Assign(uint64_t client_key, const PendingRequest& request) {
  const char* at_capacity = nullptr;
  Loop* loop = nullptr;
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    switch (admission_.Arrive(client_key, SteadyMillis())) {
      case TransferAdmission::Verdict::kStart:
        loop = PickLoop();
        clients_[client_key] = loop;
        break;
      case TransferAdmission::Verdict::kQueued:
        waiting_.insert_or_assign(client_key, request);
        ++counters_.queued;
        at_capacity = "requests queued";
        break;
      case TransferAdmission::Verdict::kIgnored:
        ++counters_.ignored;
        at_capacity = "requests left for the client to retransmit";
        break;
      case TransferAdmission::Verdict::kDuplicate: break;
    }
    queued_now_ = admission_.queued();
  }
  if (at_capacity != nullptr) NoteAtCapacity(at_capacity);
  return loop;
}

TftpService::Loop* TftpService::PickLoop() {
  // The least loaded loop, the first one on a tie: the listening loop
  // itself when it is idle, so a lone client costs no hand-over.
  Loop* best = loops_[0].get();
  for (const auto& l : loops_) {
    if (l->assigned_ < best->assigned_) best = l.get();
  }
  ++best->assigned_;
  return best;
}

void TftpService::Release(uint64_t client_key, Loop* loop) {
  std::optional<PendingRequest> next;
  Loop* next_loop = nullptr;
  {
    std::lock_guard<std::mutex> lock(clients_mu_);
    if (clients_.erase(client_key) != 0) --loop->assigned_;
    TransferAdmission::Next n = admission_.Finish(client_key, SteadyMillis());
    for (uint64_t gone : n.expired) waiting_.erase(gone);
    counters_.queue_expired += n.expired.size();
    if (n.start && draining_.load()) {
      // Stopping: the queued client's retransmission finds the next bootd.
      waiting_.erase(*n.start);
      ++counters_.ignored_draining;
    } else if (n.start) {
      auto it = waiting_.find(*n.start);
      next = std::move(it->second);
      waiting_.erase(it);
      next_loop = PickLoop();
      clients_[*n.start] = next_loop;
    }
    queued_now_ = admission_.queued();
  }
  // Through the inbox even when it is this loop: Release runs inside Close()
  // and StartTransfer(), which must not start another transfer under them.
  if (next) next_loop->Post(std::move(*next));
}

// A rack powering on at once runs into the limit thousands of times a
// second: one warn line per interval, with the counts, so an operator sees
// why boots are slow without the log drowning in it.
void TftpService::NoteAtCapacity(const char* what) {
  const uint64_t events = capacity_log_.Note(SteadyMillis());
  if (events == 0) return;
  log::Warn(kComponent, "at capacity: boots are delayed",
            {{"what", what},
             {"events", events},
             {"active", active_.load()},
             {"queued", queued_now_.load()},
             {"max_transfers", config_.max_transfers},
             {"max_queued", config_.max_queued}});
}

void TftpService::Loop::Close(int fd) {
  auto it = transfers_.find(fd);
  if (it == transfers_.end()) return;
  ActiveTransfer& t = *it->second;
  const int64_t now = SteadyMillis();
  TftpCounters& k = svc_->counters_;
  k.retransmissions += t.transfer->retransmissions();
  switch (t.transfer->state()) {
    case ReadTransfer::State::kComplete:
      ++k.completed;
      k.bytes += t.source->size();
      RecordCompletion(t, now);
      break;
    case ReadTransfer::State::kClientError:
      ++k.aborted;
      log::Debug(kComponent, "client ended transfer",
                 {{"client", AddrString(t.client)}, {"file", t.path}, {"error", t.transfer->client_error()}});
      break;
    default:
      ++k.failed;
      log::Warn(kComponent, "transfer failed",
                {{"client", AddrString(t.client)},
                 {"file", t.path},
                 {"acked_bytes", t.transfer->bytes_acknowledged()},
                 {"reason", t.transfer->state() == ReadTransfer::State::kTimedOut ? "timeout" : "read error"}});
  }
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  deadlines_.Remove(static_cast<uint64_t>(fd));
  ::close(fd);
  svc_->Release(t.client_key, this);
  transfers_.erase(it);
  svc_->TransferEnded();
}

void TftpService::Loop::RecordCompletion(const ActiveTransfer& t, int64_t now) {
  const Ipv4Address ip(ntohl(t.client.sin_addr.s_addr));
  BootEvent e;
  e.stage = t.rendered ? BootStage::kScript : BootStage::kBootFile;
  e.bytes = t.source->size();
  e.duration_millis = static_cast<uint64_t>(std::max<int64_t>(0, now - t.started_ms));
  e.detail = "file=" + t.path + " client=" + ip.ToString();
  // TFTP carries no MAC. Attribute the transfer when an assignment has this
  // IP statically; else ask the MAC resolver (bootd: the DHCP lease table)
  // and attribute it to the assignment of that MAC. Without either the MAC
  // stays zero and the IP is in `detail`.
  if (svc_->assignments_ != nullptr) {
    for (const AssignmentStore::Ptr& a : svc_->assignments_->All()) {
      for (const InterfaceAssignment& i : a->interfaces) {
        if (i.ipv4 && *i.ipv4 == ip) {
          e.mac = i.mac;
          e.machine_name = a->machine_name;
        }
      }
    }
  }
  if (e.mac == MacAddress{} && svc_->mac_resolver_) {
    if (std::optional<MacAddress> mac = svc_->mac_resolver_(ip)) {
      e.mac = *mac;
      if (svc_->assignments_ != nullptr) {
        for (const AssignmentStore::Ptr& a : svc_->assignments_->All()) {
          for (const InterfaceAssignment& i : a->interfaces) {
            if (i.mac == *mac) e.machine_name = a->machine_name;
          }
        }
      }
    }
  }
  log::Info(kComponent, "transfer complete",
            {{"client", AddrString(t.client)},
             {"mac", e.mac.ToString()},
             {"stage", BootStageName(e.stage)},
             {"file", t.path},
             {"bytes", e.bytes},
             {"millis", e.duration_millis},
             {"blksize", t.transfer->options().blksize},
             {"windowsize", t.transfer->options().windowsize},
             {"retransmissions", t.transfer->retransmissions()}});
  if (svc_->observer_ != nullptr) svc_->observer_->OnTransferComplete(e.bytes, e.duration_millis / 1000.0);
  if (svc_->events_ != nullptr) svc_->events_->Record(std::move(e));
}

TftpService::TftpService(TftpConfig config, BootEventRecorder* events, const AssignmentStore* assignments,
                         std::shared_ptr<VirtualFileProvider> files)
    : config_(std::move(config)),
      events_(events),
      assignments_(assignments),
      files_(std::move(files)),
      admission_(AdmissionLimits{static_cast<size_t>(config_.max_transfers), static_cast<size_t>(config_.max_queued),
                                 config_.queued_ttl_millis}) {}

TftpService::~TftpService() {
  Stop();
}

Status TftpService::Start() {
  // Many more loops than cores (at least kMinLoops, 2 per core above that,
  // at most kMaxLoops). Our reading: the kernel shares a busy CPU per
  // thread, so a few loops serving hundreds of transfers get a small share
  // next to the other runnable threads (compilers, and in bench/tftp/run
  // the 200 atftp clients themselves), and every transfer of a loop waits
  // behind the others, while a thread-per-transfer server like atftpd gets
  // one share per transfer. On the 2-vCPU bench machine, 200 concurrent
  // clients (1 MiB, blksize 1468, windowsize 16): with clients hashed to
  // loops, p50 ~680 / ~625 / ~475 / ~350 ms for 4 / 8 / 16 / 32 loops (load
  // 15-22); with least-loaded assignment, p50 ~410 / ~290 / ~260 ms and p99
  // ~600 / ~400 / ~370 ms for 16 / 32 / 64 loops (4-7 alternating rounds,
  // load 4-11; atftpd ~275 / ~355 ms), 128 loops no better than 64; one
  // loop (the first design) took ~3.5 s. A single transfer always lives on
  // one loop, so idle loops cost only their epoll_wait wake-up once a
  // second. See docs/benchmarks.md.
  RaiseOpenFileLimit();  // a socket per transfer
  const size_t loops = std::clamp<size_t>(2 * std::thread::hardware_concurrency(), kMinLoops, kMaxLoops);
  for (size_t i = 0; i < loops; ++i) {
    loops_.push_back(std::make_unique<Loop>(this));
    Status s = loops_.back()->Open(/*listen=*/i == 0);
    if (!s.ok()) {
      loops_.clear();
      return s;
    }
  }
  port_ = loops_[0]->port();
  log::Info(kComponent, "listening",
            {{"listen", config_.listen}, {"port", port_}, {"root", config_.root}, {"threads", loops}});
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->Run(); });
  return Status::Ok();
}

void TftpService::TransferEnded() {
  if (--active_ == 0 && draining_.load()) {
    std::lock_guard<std::mutex> lock(drain_mu_);
    drained_.notify_all();
  }
}

void TftpService::BeginDrain() {
  std::lock_guard<std::mutex> lock(drain_mu_);
  active_at_drain_ = active_.load();
  draining_ = true;
}

DrainReport TftpService::WaitDrained(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(drain_mu_);
  drained_.wait_until(lock, deadline, [this] { return active_.load() == 0; });
  const size_t left = active_.load();
  return {active_at_drain_ > left ? active_at_drain_ - left : 0, left};
}

void TftpService::Stop() {
  if (loops_.empty()) return;
  for (auto& loop : loops_) {
    loop->stop_ = true;
    loop->Wake();
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  loops_.clear();
  clients_.clear();  // the transfers and queued requests went with their loops
  waiting_.clear();
  admission_.Clear();
  queued_now_ = 0;
}

}  // namespace rackboot::bootd::tftp
