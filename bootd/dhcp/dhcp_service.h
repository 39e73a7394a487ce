#pragma once
// DhcpService: the thin socket layer around DhcpEngine. One receive thread
// (UDP 67, and 4011 in proxy mode, bound to the rack interface with
// SO_BINDTODEVICE) feeds a bounded queue; one worker thread takes the queue
// in batches: drops requests that waited past dhcp.staleRequestMillis,
// decodes, decides and encodes the rest, makes the batch's leases durable
// with one flush (one fdatasync, group commit) and only then sends the
// batch's replies. Malformed, rate-limited, stale and unanswered packets
// are counted by DropReason (stats()).
//
// Reply addressing (RFC 2131 §4.1): to the relay (giaddr:67), to ciaddr:68,
// broadcast when asked or for NAKs, and otherwise unicast to the new
// address: the kernel cannot ARP for a host that has no address yet, so the
// service installs a neighbour entry (SIOCSARP, as dnsmasq does) and falls
// back to a broadcast when that fails (e.g. without CAP_NET_ADMIN).

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "bootd/bootd_context.h"
#include "bootd/dhcp/dhcp_engine.h"
#include "bootd/dhcp/discovered_clients.h"
#include "bootd/dhcp/drop_reason.h"
#include "bootd/dhcp/icmp_prober.h"
#include "bootd/dhcp/mac_rate_limiter.h"
#include "bootd/dhcp/packet_queue.h"
#include "bootd/leases/lease_store.h"
#include "bootd/service.h"

namespace rackboot::bootd::dhcp {

struct DhcpServiceStats {
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> replies_sent{0};
  std::atomic<uint64_t> send_errors{0};
  std::atomic<uint64_t> broadcast_fallbacks{0};            // unicast to an unconfigured client sent as broadcast
  std::atomic<uint64_t> probes_answered{0};                // pool addresses that answered the ping probe
  std::array<std::atomic<uint64_t>, 9> replies_by_type{};  // index: MessageType value
  DropCounters drops;
};

class DhcpService : public Service {
 public:
  // Without a lease store, Start() opens the durable lease journal
  // (dhcp.leases) in server mode; proxy mode hands out no addresses and keeps
  // only its (empty) memory store. Tests may pass a store of their own.
  explicit DhcpService(BootdContext& ctx, std::unique_ptr<LeaseStore> leases = nullptr);
  ~DhcpService() override;

  std::string name() const override { return "dhcp"; }
  Status Start() override;
  void Stop() override;

  const DhcpServiceStats& stats() const { return stats_; }
  const DiscoveredClients& discovered() const { return discovered_; }
  LeaseStore& leases() { return *leases_; }

 private:
  Status OpenSocket(uint16_t port, int* fd);
  void ReceiveLoop();
  // A reply built from one request, waiting for its batch's lease flush.
  struct Outgoing {
    std::vector<uint8_t> bytes;
    int fd = -1;
    Ipv4Address to;
    uint16_t port = 0;
    bool awaits_flush = false;
    MessageType type = MessageType::kAck;
    MacAddress mac;
    Ipv4Address yiaddr;  // for the log
    std::string file;    // for the log (debug level only)
    size_t packet = 0;   // index of its request in the batch
    Ipv4Address probe;   // ping this address first (Decision::probe)
    bool dropped = false;
  };
  void WorkLoop();
  // Decode, decide, encode; false when there is nothing to send.
  bool Prepare(const ReceivedPacket& packet, Outgoing* out);
  void Transmit(const Outgoing& out);
  // dhcp.pingCheckMillis: pings the batch's fresh offers at once; an
  // address that answers is quarantined and its request decided again.
  void ProbeOffers(const std::vector<ReceivedPacket>& batch, std::vector<Outgoing>* replies);
  bool SetNeighbour(Ipv4Address ip, const MacAddress& mac);

  BootdContext& ctx_;
  std::unique_ptr<LeaseStore> leases_;
  DiscoveredClients discovered_;
  std::unique_ptr<DhcpEngine> engine_;  // built in Start(), once the lease store is open
  std::unique_ptr<IcmpProber> prober_;  // only with dhcp.pingCheckMillis > 0
  MacRateLimiter rate_limiter_;
  PacketQueue queue_;
  DhcpServiceStats stats_;
  int fd67_ = -1;
  int fd4011_ = -1;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::thread receiver_;
  std::thread worker_;
};

}  // namespace rackboot::bootd::dhcp
