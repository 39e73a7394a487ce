#include "bootd/dhcp/dhcp_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <set>
#include <utility>

#include "bootd/dhcp/dhcp_observer.h"
#include "bootd/leases/lease_journal.h"
#include "bootd/leases/lease_journal_config.h"
#include "bootd/leases/memory_lease_store.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/sys_error.h"

namespace rackboot::bootd::dhcp {
namespace {

constexpr const char* kComponent = "dhcp";
constexpr size_t kMaxDatagram = 65536;

}  // namespace

DhcpService::DhcpService(BootdContext& ctx, std::unique_ptr<LeaseStore> leases)
    : ctx_(ctx),
      leases_(std::move(leases)),
      rate_limiter_(ctx.config.dhcp.rate_limit_per_mac),
      queue_(ctx.config.dhcp.queue_capacity) {}

DhcpService::~DhcpService() {
  Stop();
}

Status DhcpService::OpenSocket(uint16_t port, int* out) {
  const DhcpConfig& cfg = ctx_.config.dhcp;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{SysError("socket")};
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) {
    close(fd);
    return Error{SysError("SO_BROADCAST")};
  }
  // Only the rack's interface: a bootd must never answer DHCP on the
  // management or uplink network of its host.
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cfg.interface.c_str(), cfg.interface.size()) != 0) {
    std::string e = SysError(("SO_BINDTODEVICE " + cfg.interface).c_str());
    close(fd);
    return Error{e};
  }
  int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);  // broadcasts arrive on INADDR_ANY only
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::string e = SysError(("bind port " + std::to_string(port)).c_str());
    close(fd);
    return Error{e};
  }
  *out = fd;
  return Status::Ok();
}

Status DhcpService::Start() {
  const DhcpConfig& cfg = ctx_.config.dhcp;
  if (cfg.mode == DhcpMode::kOff) return Error{"dhcp mode is off"};
  if (!leases_ && cfg.mode == DhcpMode::kServer) {
    // Durable before the ACK (RFC 2131 §4.3.2): the write-ahead journal.
    auto journal = JournalLeaseStore::Open(JournalOptionsFromConfig(cfg.leases));
    if (!journal.ok()) return Error{"lease journal " + cfg.leases.path + ": " + journal.error().message};
    log::Info(kComponent, "lease journal open", {{"path", cfg.leases.path}, {"leases", (*journal)->size()}});
    leases_ = std::move(*journal);
  }
  if (!leases_) leases_ = std::make_unique<MemoryLeaseStore>();  // proxy mode hands out no addresses
  engine_ = std::make_unique<DhcpEngine>(ctx_.config, ctx_.assignments, *leases_, &ctx_.events, &discovered_);
  engine_->set_deferred_commits(true);  // WorkLoop flushes once per batch
  if (cfg.mode == DhcpMode::kServer && cfg.ping_check_millis > 0) {
    auto prober = IcmpProber::Open(cfg.interface);
    if (!prober.ok()) return Error{"dhcp.pingCheckMillis: " + prober.error().message};
    prober_ = std::move(*prober);
  }
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return Error{SysError("pipe")};
  Status s = OpenSocket(kServerPort, &fd67_);
  if (!s.ok()) return s;
  if (cfg.mode == DhcpMode::kProxy) {
    // PXE 2.1 §2.2.7: the boot server also listens on 4011.
    s = OpenSocket(kPxeBootServerPort, &fd4011_);
    if (!s.ok()) return s;
  }
  worker_ = std::thread([this] { WorkLoop(); });
  receiver_ = std::thread([this] { ReceiveLoop(); });
  log::Info(kComponent, "listening",
            {{"mode", cfg.mode == DhcpMode::kServer ? "server" : "proxy"},
             {"interface", cfg.interface},
             {"server", cfg.server_address.ToString()},
             {"port4011", fd4011_ >= 0 ? "on" : "off"}});
  if (cfg.mode == DhcpMode::kServer && dynamic_cast<MemoryLeaseStore*>(leases_.get())) {
    log::Warn(kComponent, "leases are kept in memory only; they do not survive a restart");
  }
  return Status::Ok();
}

void DhcpService::Stop() {
  if (stopping_.exchange(true)) return;
  if (stop_pipe_[1] >= 0) {
    char c = 1;
    (void)!write(stop_pipe_[1], &c, 1);
  }
  queue_.Close();
  if (receiver_.joinable()) receiver_.join();
  if (worker_.joinable()) worker_.join();
  // Every lease answered so far is on disk before the process goes, also
  // under a policy that defers fsync (RFC 2131 §4.3.2: an ACKed address is
  // the client's).
  if (leases_) {
    Status flushed = leases_->Flush();
    if (!flushed.ok()) log::Error(kComponent, "lease journal flush failed", {{"error", flushed.message()}});
  }
  for (int* fd : {&fd67_, &fd4011_, &stop_pipe_[0], &stop_pipe_[1]}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

void DhcpService::ReceiveLoop() {
  std::vector<uint8_t> buf(kMaxDatagram);
  pollfd fds[3] = {{stop_pipe_[0], POLLIN, 0}, {fd67_, POLLIN, 0}, {fd4011_, POLLIN, 0}};
  const nfds_t nfds = fd4011_ >= 0 ? 3 : 2;
  while (!stopping_) {
    if (poll(fds, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      log::Error(kComponent, "poll failed", {{"error", std::strerror(errno)}});
      return;
    }
    if (fds[0].revents) return;
    for (nfds_t i = 1; i < nfds; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      // Drain what is there without blocking the other socket.
      for (int n = 0; n < 64; ++n) {
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t got =
            recvfrom(fds[i].fd, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
        if (got < 0) break;
        stats_.received.fetch_add(1, std::memory_order_relaxed);
        // Rate limit on the raw chaddr before any parsing (bytes 28..33).
        if (got >= 34) {
          std::array<uint8_t, 6> mac{};
          std::memcpy(mac.data(), buf.data() + 28, 6);
          if (!rate_limiter_.Allow(MacAddress(mac), SteadyMillis())) {
            stats_.drops.Add(DropReason::kRateLimited);
            continue;
          }
        }
        ReceivedPacket p;
        p.bytes.assign(buf.begin(), buf.begin() + got);
        p.local_port = i == 1 ? kServerPort : kPxeBootServerPort;
        p.source_ip = Ipv4Address(ntohl(from.sin_addr.s_addr));
        p.source_port = ntohs(from.sin_port);
        p.received_millis = SteadyMillis();
        if (!queue_.Push(std::move(p))) stats_.drops.Add(DropReason::kQueueOverflow);
      }
    }
  }
}

void DhcpService::WorkLoop() {
  // One batch = one lease flush. Bigger batches share a sync among more
  // ACKs but hold the first reply back longer; a sync costs 1-4 ms here.
  constexpr size_t kMaxBatch = 256;
  const int64_t stale_after = ctx_.config.dhcp.stale_request_millis;
  std::vector<ReceivedPacket> batch;
  std::vector<Outgoing> replies;
  while (queue_.PopBatch(&batch, kMaxBatch)) {
    replies.clear();
    bool any_deferred = false;
    for (const ReceivedPacket& p : batch) {
      if (stale_after > 0 && SteadyMillis() - p.received_millis > stale_after) {
        stats_.drops.Add(DropReason::kStale);
        continue;
      }
      Outgoing out;
      if (!Prepare(p, &out)) continue;
      out.packet = static_cast<size_t>(&p - batch.data());
      replies.push_back(std::move(out));
    }
    if (prober_) ProbeOffers(batch, &replies);
    for (const Outgoing& out : replies) any_deferred = any_deferred || out.awaits_flush;
    bool durable = true;
    if (any_deferred) {
      Status st = leases_->Flush();
      if (!st.ok()) {
        durable = false;
        log::Error(kComponent, "lease flush failed, ACKs withheld", {{"error", st.message()}});
      }
    }
    for (const Outgoing& out : replies) {
      if (out.dropped) continue;
      if (out.awaits_flush && !durable) {
        stats_.drops.Add(DropReason::kLeaseStoreError);
        continue;
      }
      Transmit(out);
    }
  }
}

void DhcpService::ProbeOffers(const std::vector<ReceivedPacket>& batch, std::vector<Outgoing>* replies) {
  // Each round pings the offers still untested; an offer re-decided in the
  // last round has not been pinged and is not sent.
  constexpr int kRounds = 3;
  const std::chrono::milliseconds timeout(ctx_.config.dhcp.ping_check_millis);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Ipv4Address> ips;
    for (const Outgoing& o : *replies) {
      if (!o.dropped && !o.probe.IsZero()) ips.push_back(o.probe);
    }
    if (ips.empty()) return;
    const std::set<Ipv4Address> answered = prober_->Probe(ips, timeout);
    for (Outgoing& o : *replies) {
      if (o.dropped || o.probe.IsZero()) continue;
      const Ipv4Address ip = std::exchange(o.probe, Ipv4Address());
      if (!answered.count(ip)) continue;
      stats_.probes_answered.fetch_add(1, std::memory_order_relaxed);
      if (Status st = engine_->MarkAddressInUse(ip, o.mac, static_cast<int64_t>(std::time(nullptr))); !st.ok()) {
        log::Error(kComponent, "could not quarantine an address in use",
                   {{"ip", ip.ToString()}, {"error", st.message()}});
      }
      Outgoing again;
      again.packet = o.packet;
      again.dropped = !Prepare(batch[o.packet], &again);
      if (!again.dropped && round == kRounds - 1 && !again.probe.IsZero()) {
        again.dropped = true;
        stats_.drops.Add(DropReason::kAddressInUse);
      }
      o = std::move(again);
    }
  }
}

bool DhcpService::Prepare(const ReceivedPacket& in, Outgoing* out) {
  DropReason reason = DropReason::kNone;
  auto request = DecodePacket4(in.bytes, &reason);
  if (!request.ok()) {
    stats_.drops.Add(reason);
    log::Debug(kComponent, "malformed packet dropped",
               {{"reason", DropReasonName(reason)}, {"from", in.source_ip.ToString()}, {"bytes", in.bytes.size()}});
    return false;
  }
  RequestContext rc;
  rc.local_port = in.local_port;
  rc.source_ip = in.source_ip;
  rc.source_port = in.source_port;
  rc.now_unix = static_cast<int64_t>(std::time(nullptr));
  const auto decide_start = std::chrono::steady_clock::now();
  Decision d = engine_->Decide(*request, rc);
  if (ctx_.hooks.dhcp) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - decide_start;
    ctx_.hooks.dhcp->OnDecision(*request, d, took.count());
  }
  if (!d.reply) {
    if (d.drop != DropReason::kNone) stats_.drops.Add(d.drop);
    return false;
  }
  auto bytes = EncodePacket4(*d.reply, d.max_message_size, d.requested);
  if (!bytes.ok()) {
    stats_.drops.Add(DropReason::kReplyTooBig);
    log::Warn(kComponent, "reply not encodable",
              {{"mac", request->mac().ToString()}, {"error", bytes.error().message}});
    return false;
  }
  out->to = d.to.ip;
  if (d.to.to_unconfigured_client && !SetNeighbour(out->to, d.reply->mac())) {
    out->to = Ipv4Address(0xffffffffu);
    stats_.broadcast_fallbacks.fetch_add(1, std::memory_order_relaxed);
  }
  out->bytes = std::move(*bytes);
  out->port = d.to.port;
  out->fd = in.local_port == kPxeBootServerPort ? fd4011_ : fd67_;
  out->awaits_flush = d.awaits_flush;
  out->probe = d.probe;
  out->type = d.reply->message_type().value_or(MessageType::kAck);
  out->mac = d.reply->mac();
  out->yiaddr = d.reply->yiaddr;
  if (log::Enabled(log::Level::kDebug)) out->file = d.reply->file;
  return true;
}

void DhcpService::Transmit(const Outgoing& out) {
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(out.port);
  dst.sin_addr.s_addr = htonl(out.to.value());
  if (sendto(out.fd, out.bytes.data(), out.bytes.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0) {
    stats_.send_errors.fetch_add(1, std::memory_order_relaxed);
    log::Warn(kComponent, "send failed",
              {{"mac", out.mac.ToString()}, {"to", out.to.ToString()}, {"error", std::strerror(errno)}});
    return;
  }
  stats_.replies_sent.fetch_add(1, std::memory_order_relaxed);
  stats_.replies_by_type[static_cast<size_t>(out.type)].fetch_add(1, std::memory_order_relaxed);
  if (!log::Enabled(log::Level::kDebug)) return;  // the fields cost more than the send
  log::Debug(kComponent, "reply sent",
             {{"mac", out.mac.ToString()},
              {"type", MessageTypeName(out.type)},
              {"yiaddr", out.yiaddr.ToString()},
              {"to", out.to.ToString() + ":" + std::to_string(out.port)},
              {"file", out.file}});
}

bool DhcpService::SetNeighbour(Ipv4Address ip, const MacAddress& mac) {
  arpreq req{};
  auto* pa = reinterpret_cast<sockaddr_in*>(&req.arp_pa);
  pa->sin_family = AF_INET;
  pa->sin_addr.s_addr = htonl(ip.value());
  req.arp_ha.sa_family = ARPHRD_ETHER;
  std::memcpy(req.arp_ha.sa_data, mac.bytes().data(), 6);
  req.arp_flags = ATF_COM;
  std::strncpy(req.arp_dev, ctx_.config.dhcp.interface.c_str(), sizeof req.arp_dev - 1);
  return ioctl(fd67_, SIOCSARP, &req) == 0;
}

}  // namespace rackboot::bootd::dhcp
