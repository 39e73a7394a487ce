#pragma once
// DhcpEngine: the decision half of bootd's DHCP (the Dhcpv4Srv::processPacket
// of this codebase): a decoded request plus the current state in, a reply
// (with where to send it) or a drop reason out. No sockets here; the
// service (dhcp_service.h) moves bytes. Not thread-safe: one worker thread
// calls Decide().
//
// Server mode: RFC 2131 in full (§4.3). Proxy mode (PXE 2.1 §2.2.7
// ProxyDHCP): never an address (yiaddr stays 0), never a NAK, silence for
// anything that is not a known, boot-enabled PXE/HTTP/iPXE client.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/dhcp/address_allocator.h"
#include "bootd/dhcp/client_class.h"
#include "bootd/dhcp/discovered_clients.h"
#include "bootd/dhcp/drop_reason.h"
#include "bootd/dhcp/packet4.h"
#include "bootd/events/boot_event_recorder.h"
#include "bootd/leases/lease_store.h"

namespace rackboot::bootd::dhcp {

struct RequestContext {
  uint16_t local_port = kServerPort;  // 67, or 4011 (PXE boot-server port, proxy mode)
  Ipv4Address source_ip;              // IP source of the datagram
  uint16_t source_port = kClientPort;
  int64_t now_unix = 0;
};

// Where a reply goes (RFC 2131 §4.1, "If the 'giaddr' field ...").
struct Destination {
  Ipv4Address ip;
  uint16_t port = kClientPort;
  // The reply is for a client that has no address yet and did not ask for
  // broadcast: RFC 2131 wants a unicast to chaddr/yiaddr, which needs an ARP
  // entry; the service may broadcast instead.
  bool to_unconfigured_client = false;
};

struct Decision {
  std::optional<Packet4> reply;
  // Without a reply: why. kNone means handled without a reply (RELEASE,
  // DECLINE).
  DropReason drop = DropReason::kNone;
  Destination to;
  uint16_t max_message_size = kMinMaxMessageSize;  // the client's option 57
  std::vector<uint8_t> requested;                  // the client's option 55
  // The reply rests on a lease committed with CommitDeferred: it may leave
  // only after LeaseStore::Flush() succeeded (deferred commits only).
  bool awaits_flush = false;
  // dhcp.pingCheckMillis: an OFFER of an address new to this client; the
  // service pings it first and, when it answers, calls MarkAddressInUse and
  // decides again (RFC 2131 §3.1 step 2). Zero: send as is.
  Ipv4Address probe;
};

class DhcpEngine {
 public:
  // `events` and `discovered` may be null (tests that do not look at them).
  DhcpEngine(const BootdConfig& config, const AssignmentStore& assignments, LeaseStore& leases,
             BootEventRecorder* events = nullptr, DiscoveredClients* discovered = nullptr);

  Decision Decide(const Packet4& request, const RequestContext& ctx);

  // Group commit across requests: lease commits use CommitDeferred and
  // their decisions say awaits_flush; the caller flushes once per batch.
  void set_deferred_commits(bool on) { deferred_commits_ = on; }

  // A probe found `ip` answering: some host uses it without a lease here.
  // It is quarantined like a DECLINEd address (declineQuarantineSeconds)
  // and the hold for `offered_to` is dropped, so deciding again offers
  // another address.
  Status MarkAddressInUse(Ipv4Address ip, const MacAddress& offered_to, int64_t now);

 private:
  struct Client {
    ClientInfo info;
    ClientKey key;
    AssignmentStore::Ptr assignment;
  };
  Decision DecideServer(const Packet4& req, const Client& c, MessageType type, const RequestContext& ctx);
  Decision DecideProxy(const Packet4& req, const Client& c, MessageType type, const RequestContext& ctx);
  Decision Discover(const Packet4& req, const Client& c, const RequestContext& ctx);
  Decision Request(const Packet4& req, const Client& c, const RequestContext& ctx);
  Decision Inform(const Packet4& req, const Client& c, const RequestContext& ctx);
  Decision Release(const Packet4& req, const Client& c, const RequestContext& ctx);
  Decision Decline(const Packet4& req, const Client& c, const RequestContext& ctx);

  // The address this client should get in `pool`: its reservation, else its
  // current lease, else `requested` when free, else a free pool address.
  // `fresh` (when given) says whether the address is new to the client
  // (requested or free, not its reservation, hold or previous lease).
  std::optional<Ipv4Address> ChooseAddress(const Client& c, const DhcpPoolConfig& pool, Ipv4Address requested,
                                           int64_t now, bool* fresh = nullptr);
  // Is `ip` right for this client (INIT-REBOOT / RENEWING / SELECTING)?
  bool AddressValidFor(const Client& c, Ipv4Address ip, int64_t now);
  std::optional<Ipv4Address> ReservedAddress(const Client& c) const;
  ReservedAddresses Reservations(const Client& c);

  Packet4 MakeReply(const Packet4& req, MessageType type) const;
  void AddAddressOptions(Packet4& reply, const DhcpPoolConfig& pool, const Client& c, bool with_lease_times) const;
  void AddBootInfo(Packet4& reply, const Client& c, bool proxy) const;
  Decision Nak(const Packet4& req, const Client& c, const char* why);
  Decision Send(Packet4 reply, const Packet4& req, const Client& c, const RequestContext& ctx) const;
  void Record(BootStage stage, const Client& c, const std::string& detail) const;

  const BootdConfig& config_;
  const AssignmentStore& assignments_;
  LeaseStore& leases_;
  BootEventRecorder* events_;
  DiscoveredClients* discovered_;
  AddressAllocator allocator_;
  bool deferred_commits_ = false;
  // IPs of all reservations, rebuilt when the assignment store changes.
  uint64_t reserved_revision_ = ~uint64_t{0};
  std::map<Ipv4Address, std::string> reserved_ips_;  // ip -> machine name
};

}  // namespace rackboot::bootd::dhcp
