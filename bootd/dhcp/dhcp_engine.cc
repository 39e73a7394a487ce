#include "bootd/dhcp/dhcp_engine.h"

#include "bootd/dhcp/boot_answer.h"
#include "bootd/dhcp/option_codes.h"
#include "bootd/dhcp/options.h"
#include "common/log.h"

namespace rackboot::bootd::dhcp {
namespace {

constexpr const char* kComponent = "dhcp";
const Ipv4Address kBroadcast(0xffffffffu);

std::optional<Ipv4Address> AddressOption(const Packet4& p, uint8_t code) {
  const std::string* v = p.Find(code);
  if (!v) return std::nullopt;
  auto a = OptionAddress::Parse(*v);
  if (!a) return std::nullopt;
  return a->value;
}

Decision Drop(DropReason reason) {
  Decision d;
  d.drop = reason;
  return d;
}

}  // namespace

DhcpEngine::DhcpEngine(const BootdConfig& config, const AssignmentStore& assignments, LeaseStore& leases,
                       BootEventRecorder* events, DiscoveredClients* discovered)
    : config_(config),
      assignments_(assignments),
      leases_(leases),
      events_(events),
      discovered_(discovered),
      allocator_(config.dhcp, leases) {}

Decision DhcpEngine::Decide(const Packet4& req, const RequestContext& ctx) {
  if (req.op != kBootRequest) return Drop(DropReason::kNotBootRequest);
  if (req.htype != 1 || req.hlen != 6) return Drop(DropReason::kUnsupportedHardware);
  auto type = req.message_type();
  if (!type) return Drop(DropReason::kNoMessageType);

  Client c;
  c.info = ClassifyClient(req);
  c.key = ClientKey{c.info.mac, c.info.client_id};
  c.assignment = assignments_.FindByMac(c.info.mac);
  if (!c.assignment && !c.info.uuid.empty()) c.assignment = assignments_.FindByUuid(c.info.uuid);
  if (!c.assignment && discovered_ && *type != MessageType::kRelease) {
    discovered_->Record(c.info.mac, c.info.Fingerprint(), req.giaddr, ctx.now_unix);
  }
  if (c.info.arch == ClientArch::kOther) {
    log::Debug(kComponent, "unsupported client architecture",
               {{"mac", c.info.mac.ToString()}, {"arch", *c.info.arch_type}});
  }

  Decision d;
  switch (config_.dhcp.mode) {
    case DhcpMode::kServer: d = DecideServer(req, c, *type, ctx); break;
    case DhcpMode::kProxy: d = DecideProxy(req, c, *type, ctx); break;
    case DhcpMode::kOff: d = Drop(DropReason::kUnsupportedMessageType); break;
  }
  d.max_message_size = c.info.max_message_size;
  d.requested = c.info.requested;
  if (!d.reply && d.drop != DropReason::kNone) {
    log::Debug(kComponent, "no reply",
               {{"mac", c.info.mac.ToString()}, {"type", MessageTypeName(*type)}, {"reason", DropReasonName(d.drop)}});
  }
  return d;
}

// ---------------------------------------------------------------- server mode

Decision DhcpEngine::DecideServer(const Packet4& req, const Client& c, MessageType type, const RequestContext& ctx) {
  if (ctx.local_port != kServerPort) return Drop(DropReason::kUnsupportedMessageType);
  switch (type) {
    case MessageType::kDiscover: return Discover(req, c, ctx);
    case MessageType::kRequest: return Request(req, c, ctx);
    case MessageType::kInform: return Inform(req, c, ctx);
    case MessageType::kRelease: return Release(req, c, ctx);
    case MessageType::kDecline: return Decline(req, c, ctx);
    default: return Drop(DropReason::kUnsupportedMessageType);
  }
}

Decision DhcpEngine::Discover(const Packet4& req, const Client& c, const RequestContext& ctx) {
  Record(BootStage::kDhcpDiscover, c, c.info.class_name() + " " + BootClientKindName(c.info.kind));
  auto reserved = ReservedAddress(c);
  const DhcpPoolConfig* pool = reserved ? allocator_.PoolContaining(*reserved) : nullptr;
  if (!pool) pool = allocator_.PoolFor(req.giaddr);
  if (!pool) return Drop(DropReason::kPoolExhausted);
  Ipv4Address requested = AddressOption(req, kOptRequestedIp).value_or(Ipv4Address());
  bool fresh = false;
  auto ip = ChooseAddress(c, *pool, requested, ctx.now_unix, &fresh);
  if (!ip) {
    log::Warn(kComponent, "pool exhausted", {{"mac", c.info.mac.ToString()}, {"subnet", pool->subnet.ToString()}});
    return Drop(DropReason::kPoolExhausted);
  }
  allocator_.Hold(*ip, c.info.mac, ctx.now_unix);
  Packet4 reply = MakeReply(req, MessageType::kOffer);
  reply.yiaddr = *ip;
  AddAddressOptions(reply, *pool, c, true);
  AddBootInfo(reply, c, false);
  Record(BootStage::kDhcpOffer, c, ip->ToString() + (reply.file.empty() ? "" : " " + reply.file));
  Decision d = Send(std::move(reply), req, c, ctx);
  if (fresh && config_.dhcp.ping_check_millis > 0) d.probe = *ip;
  return d;
}

Status DhcpEngine::MarkAddressInUse(Ipv4Address ip, const MacAddress& offered_to, int64_t now) {
  allocator_.DropHold(offered_to);
  Lease in_use;
  in_use.ip = ip;  // no MAC: the host that answered is unknown
  in_use.state = LeaseState::kDeclined;
  in_use.expires_unix = now + config_.dhcp.decline_quarantine_seconds;
  log::Warn(kComponent, "pool address answered a ping, quarantined",
            {{"ip", ip.ToString()}, {"seconds", config_.dhcp.decline_quarantine_seconds}});
  return leases_.Commit(in_use);
}

// RFC 2131 §4.3.2: which state the client is in follows from 54, 50, ciaddr.
Decision DhcpEngine::Request(const Packet4& req, const Client& c, const RequestContext& ctx) {
  auto server_id = AddressOption(req, kOptServerId);
  auto requested = AddressOption(req, kOptRequestedIp);
  Ipv4Address ip;
  const DhcpPoolConfig* pool = nullptr;
  if (server_id) {  // SELECTING
    if (*server_id != config_.dhcp.server_address) {
      allocator_.DropHold(c.info.mac);  // it chose another server
      return Drop(DropReason::kOtherServer);
    }
    ip = requested.value_or(req.ciaddr);
    pool = allocator_.PoolContaining(ip);
    if (ip.IsZero() || !pool) return Nak(req, c, "no requested address");
  } else if (requested && req.ciaddr.IsZero()) {  // INIT-REBOOT
    ip = *requested;
    pool = allocator_.PoolContaining(ip);
    // "on the wrong network": not in the subnet the request came from.
    if (!pool || pool != allocator_.PoolFor(req.giaddr)) return Nak(req, c, "wrong network");
  } else if (!req.ciaddr.IsZero()) {  // RENEWING (unicast) or REBINDING (broadcast)
    ip = req.ciaddr;
    pool = allocator_.PoolContaining(ip);
    // Not one of our networks: another server's client; stay silent.
    if (!pool) return Drop(DropReason::kNoLease);
  } else {
    return Drop(DropReason::kNoLease);
  }
  if (!AddressValidFor(c, ip, ctx.now_unix)) return Nak(req, c, "address not available");

  Lease lease;
  lease.ip = ip;
  lease.mac = c.info.mac;
  lease.client_id = c.info.client_id;
  lease.hostname = c.assignment ? c.assignment->hostname : c.info.hostname;
  lease.expires_unix = ctx.now_unix + pool->lease_seconds;
  lease.state = LeaseState::kActive;
  // RFC 2131 §4.3.2 / issue 3: the binding is durable before the ACK leaves
  // (deferred: the service flushes the batch before sending its replies).
  Status st = deferred_commits_ ? leases_.CommitDeferred(lease) : leases_.Commit(lease);
  if (!st.ok()) {
    log::Error(kComponent, "lease commit failed", {{"mac", c.info.mac.ToString()}, {"error", st.message()}});
    return Drop(DropReason::kLeaseStoreError);
  }
  allocator_.DropHold(c.info.mac);
  Packet4 reply = MakeReply(req, MessageType::kAck);
  reply.yiaddr = ip;
  AddAddressOptions(reply, *pool, c, true);
  AddBootInfo(reply, c, false);
  Record(BootStage::kDhcpAck, c, ip.ToString() + (reply.file.empty() ? "" : " " + reply.file));
  Decision d = Send(std::move(reply), req, c, ctx);
  d.awaits_flush = deferred_commits_;
  return d;
}

// RFC 2131 §4.3.5: configuration only; no lease, no yiaddr, no 51/58/59.
Decision DhcpEngine::Inform(const Packet4& req, const Client& c, const RequestContext& ctx) {
  Ipv4Address from = req.ciaddr.IsZero() ? ctx.source_ip : req.ciaddr;
  Packet4 reply = MakeReply(req, MessageType::kAck);
  reply.ciaddr = from;
  if (const DhcpPoolConfig* pool = allocator_.PoolContaining(from)) AddAddressOptions(reply, *pool, c, false);
  AddBootInfo(reply, c, false);
  return Send(std::move(reply), req, c, ctx);
}

// RFC 2131 §4.3.4: mark the lease free; no reply.
Decision DhcpEngine::Release(const Packet4& req, const Client& c, const RequestContext& ctx) {
  auto server_id = AddressOption(req, kOptServerId);
  if (server_id && *server_id != config_.dhcp.server_address) return Drop(DropReason::kOtherServer);
  auto lease = leases_.FindByIp(req.ciaddr);
  if (!lease || lease->state != LeaseState::kActive || !c.key.Owns(*lease)) return Drop(DropReason::kNoLease);
  lease->state = LeaseState::kReleased;
  lease->expires_unix = ctx.now_unix;
  if (!leases_.Commit(*lease).ok()) return Drop(DropReason::kLeaseStoreError);
  log::Info(kComponent, "lease released", {{"mac", c.info.mac.ToString()}, {"ip", req.ciaddr.ToString()}});
  return Decision{};
}

// RFC 2131 §4.3.3: the client found the address in use; quarantine it.
Decision DhcpEngine::Decline(const Packet4& req, const Client& c, const RequestContext& ctx) {
  auto server_id = AddressOption(req, kOptServerId);
  if (server_id && *server_id != config_.dhcp.server_address) return Drop(DropReason::kOtherServer);
  auto ip = AddressOption(req, kOptRequestedIp);
  if (!ip) return Drop(DropReason::kNoLease);
  auto lease = leases_.FindByIp(*ip);
  bool ours = (lease && c.key.Owns(*lease) && lease->state == LeaseState::kActive) ||
              allocator_.HeldFor(c.info.mac, ctx.now_unix) == *ip;
  if (!ours) return Drop(DropReason::kNoLease);
  Lease declined;
  declined.ip = *ip;
  declined.mac = c.info.mac;
  declined.client_id = c.info.client_id;
  declined.state = LeaseState::kDeclined;
  declined.expires_unix = ctx.now_unix + config_.dhcp.decline_quarantine_seconds;
  if (!leases_.Commit(declined).ok()) return Drop(DropReason::kLeaseStoreError);
  allocator_.DropHold(c.info.mac);
  log::Warn(
      kComponent, "address declined, quarantined",
      {{"mac", c.info.mac.ToString()}, {"ip", ip->ToString()}, {"seconds", config_.dhcp.decline_quarantine_seconds}});
  return Decision{};
}

// ----------------------------------------------------------------- proxy mode

Decision DhcpEngine::DecideProxy(const Packet4& req, const Client& c, MessageType type, const RequestContext& ctx) {
  if (c.info.kind == BootClientKind::kNone) return Drop(DropReason::kNotPxeClient);
  if (!c.assignment) return Drop(DropReason::kUnknownClient);
  if (!c.assignment->allow_pxe) return Drop(DropReason::kPxeDisabled);
  std::string why;
  if (!ChooseBootAnswer(config_, c.info, c.assignment.get(), &why)) {
    log::Debug(kComponent, "no boot answer", {{"mac", c.info.mac.ToString()}, {"why", why}});
    return Drop(DropReason::kNotPxeClient);
  }
  MessageType reply_type;
  if (ctx.local_port == kPxeBootServerPort) {
    // PXE 2.1 §2.2.7: the client asks the boot server directly (REQUEST, or
    // INFORM from some ROMs) and gets an ACK with the boot file.
    if (type != MessageType::kRequest && type != MessageType::kInform) return Drop(DropReason::kUnsupportedMessageType);
    reply_type = MessageType::kAck;
  } else if (type == MessageType::kDiscover) {
    Record(BootStage::kDhcpDiscover, c, c.info.class_name() + " " + BootClientKindName(c.info.kind));
    reply_type = MessageType::kOffer;
  } else if (type == MessageType::kRequest) {
    // A REQUEST on 67 belongs to the site DHCP server. Never NAK it (one NAK
    // aborts some PXE ROMs) and never ACK it either, even when it names us:
    // PXE clients ask a proxy on 4011, and an ACK here would hand an
    // ordinary client a "lease" of 0.0.0.0.
    return Drop(DropReason::kOtherServer);
  } else if (type == MessageType::kInform) {
    reply_type = MessageType::kAck;
  } else {
    return Drop(DropReason::kUnsupportedMessageType);
  }
  Packet4 reply = MakeReply(req, reply_type);
  reply.ciaddr = req.ciaddr;
  reply.yiaddr = Ipv4Address();  // ProxyDHCP never hands out an address
  AddBootInfo(reply, c, true);
  // PXE 2.1 §2.2.7: the proxy reply echoes the client's UUID (option 97).
  if (const std::string* uuid = req.Find(kOptClientUuid)) reply.Set(kOptClientUuid, *uuid);
  Record(reply_type == MessageType::kOffer ? BootStage::kDhcpOffer : BootStage::kDhcpAck, c, "proxy " + reply.file);
  return Send(std::move(reply), req, c, ctx);
}

// ------------------------------------------------------------------- helpers

std::optional<Ipv4Address> DhcpEngine::ReservedAddress(const Client& c) const {
  if (!c.assignment) return std::nullopt;
  const InterfaceAssignment* iface = c.assignment->FindInterface(c.info.mac);
  if (!iface || !iface->ipv4) return std::nullopt;
  return iface->ipv4;
}

ReservedAddresses DhcpEngine::Reservations(const Client& c) {
  if (assignments_.revision() != reserved_revision_) {
    reserved_revision_ = assignments_.revision();
    reserved_ips_.clear();
    for (const auto& a : assignments_.All()) {
      for (const auto& i : a->interfaces) {
        if (i.ipv4) reserved_ips_[*i.ipv4] = a->machine_name;
      }
    }
  }
  return ReservedAddresses{&reserved_ips_, c.assignment ? c.assignment->machine_name : std::string()};
}

std::optional<Ipv4Address> DhcpEngine::ChooseAddress(const Client& c, const DhcpPoolConfig& pool, Ipv4Address requested,
                                                     int64_t now, bool* fresh) {
  ReservedAddresses reserved = Reservations(c);
  if (auto r = ReservedAddress(c)) {
    if (allocator_.Available(*r, c.key, now, reserved)) return r;
    log::Warn(kComponent, "reserved address in use by another client, using the pool",
              {{"mac", c.info.mac.ToString()}, {"ip", r->ToString()}});
  }
  auto usable = [&](Ipv4Address ip) {
    return !ip.IsZero() && AddressAllocator::InRange(pool, ip) && allocator_.Available(ip, c.key, now, reserved);
  };
  if (auto held = allocator_.HeldFor(c.info.mac, now); held && usable(*held)) return held;
  // RFC 2131 §4.3.1: prefer the client's current or previous address.
  std::optional<Lease> previous;
  if (!c.info.client_id.empty()) previous = leases_.FindByClientId(c.info.client_id);
  if (!previous) previous = leases_.FindByMac(c.info.mac);
  if (previous && previous->state != LeaseState::kDeclined && c.key.Owns(*previous) && usable(previous->ip)) {
    return previous->ip;
  }
  if (fresh) *fresh = true;
  if (usable(requested)) return requested;
  return allocator_.FindFree(pool, c.key, now, reserved);
}

bool DhcpEngine::AddressValidFor(const Client& c, Ipv4Address ip, int64_t now) {
  if (auto r = ReservedAddress(c); r && *r == ip) return allocator_.Available(ip, c.key, now, Reservations(c));
  const DhcpPoolConfig* pool = allocator_.PoolContaining(ip);
  if (!pool) return false;
  // Outside the dynamic range only reservations are valid (handled above),
  // except a lease we already gave this client.
  auto lease = leases_.FindByIp(ip);
  bool own_lease = lease && lease->state == LeaseState::kActive && c.key.Owns(*lease);
  if (!AddressAllocator::InRange(*pool, ip) && !own_lease) return false;
  return allocator_.Available(ip, c.key, now, Reservations(c));
}

Packet4 DhcpEngine::MakeReply(const Packet4& req, MessageType type) const {
  Packet4 reply;
  reply.op = kBootReply;
  reply.htype = req.htype;
  reply.hlen = req.hlen;
  reply.xid = req.xid;
  reply.flags = req.flags;
  reply.giaddr = req.giaddr;
  reply.chaddr = req.chaddr;
  // RFC 2131 Table 3: ciaddr is echoed in ACKs (renewals), 0 in OFFER/NAK.
  if (type == MessageType::kAck) reply.ciaddr = req.ciaddr;
  reply.Set(kOptMessageType, std::string(1, static_cast<char>(type)));
  reply.Set(kOptServerId, OptionAddress{config_.dhcp.server_address}.Serialize());
  // RFC 3046 §2.2: the relay agent information goes back to the relay.
  if (const std::string* agent = req.Find(kOptRelayAgentInfo); agent && !req.giaddr.IsZero()) {
    reply.Set(kOptRelayAgentInfo, *agent);
  }
  return reply;
}

void DhcpEngine::AddAddressOptions(Packet4& reply, const DhcpPoolConfig& pool, const Client& c,
                                   bool with_lease_times) const {
  reply.Set(kOptSubnetMask, OptionAddress{Ipv4Address(pool.subnet.Mask())}.Serialize());
  if (pool.router) reply.Set(kOptRouter, OptionAddress{*pool.router}.Serialize());
  if (!pool.dns_servers.empty()) reply.Set(kOptDnsServers, OptionAddressList{pool.dns_servers}.Serialize());
  if (!pool.domain_name.empty()) reply.Set(kOptDomainName, pool.domain_name);
  if (c.assignment && !c.assignment->hostname.empty()) reply.Set(kOptHostName, c.assignment->hostname);
  if (with_lease_times) {
    // RFC 2131 §4.4.5 defaults: T1 = 0.5, T2 = 0.875 of the lease.
    reply.Set(kOptLeaseTime, OptionU32{pool.lease_seconds}.Serialize());
    reply.Set(kOptRenewalTime, OptionU32{pool.lease_seconds / 2}.Serialize());
    reply.Set(kOptRebindingTime, OptionU32{static_cast<uint32_t>(uint64_t{pool.lease_seconds} * 7 / 8)}.Serialize());
  }
}

void DhcpEngine::AddBootInfo(Packet4& reply, const Client& c, bool proxy) const {
  std::string why;
  auto answer = ChooseBootAnswer(config_, c.info, c.assignment.get(), &why);
  if (!answer) {
    if (c.info.kind != BootClientKind::kNone) {
      log::Debug(kComponent, "no boot information", {{"mac", c.info.mac.ToString()}, {"why", why}});
    }
    return;
  }
  ApplyBootAnswer(*answer, reply);
  (void)proxy;
}

Decision DhcpEngine::Nak(const Packet4& req, const Client& c, const char* why) {
  log::Info(kComponent, "nak", {{"mac", c.info.mac.ToString()}, {"why", why}});
  Packet4 reply = MakeReply(req, MessageType::kNak);
  reply.ciaddr = Ipv4Address();
  reply.Set(kOptMessage, why);
  Decision d;
  // RFC 2131 §4.1: a NAK is broadcast, or sent to the relay with the
  // broadcast bit set so the relay broadcasts it.
  if (!req.giaddr.IsZero()) {
    reply.flags |= kFlagBroadcast;
    d.to = {req.giaddr, kServerPort, false};
  } else {
    d.to = {kBroadcast, kClientPort, false};
  }
  d.reply = std::move(reply);
  return d;
}

Decision DhcpEngine::Send(Packet4 reply, const Packet4& req, const Client& c, const RequestContext& ctx) const {
  Decision d;
  if (ctx.local_port == kPxeBootServerPort) {
    d.to = {ctx.source_ip, ctx.source_port, false};  // answer where the request came from
  } else if (!req.giaddr.IsZero()) {
    d.to = {req.giaddr, kServerPort, false};  // RFC 2131 §4.1: to the relay's server port
  } else if (!req.ciaddr.IsZero()) {
    d.to = {req.ciaddr, kClientPort, false};
  } else if (req.broadcast() || reply.yiaddr.IsZero()) {
    d.to = {kBroadcast, kClientPort, false};
  } else {
    d.to = {reply.yiaddr, kClientPort, true};
  }
  (void)c;
  d.reply = std::move(reply);
  return d;
}

void DhcpEngine::Record(BootStage stage, const Client& c, const std::string& detail) const {
  if (!events_) return;
  BootEvent e;
  e.mac = c.info.mac;
  e.machine_name = c.assignment ? c.assignment->machine_name : "";
  e.stage = stage;
  e.detail = detail;
  e.fingerprint.client_class = c.info.class_name();
  e.fingerprint.client_arch = c.info.arch_type.value_or(0);
  e.fingerprint.vendor_class = c.info.vendor_class;
  if (!c.info.user_classes.empty()) e.fingerprint.user_class = c.info.user_classes.front();
  e.fingerprint.uuid = c.info.uuid;
  for (uint8_t code : c.info.requested) {
    if (!e.fingerprint.parameter_request_list.empty()) e.fingerprint.parameter_request_list.push_back(',');
    e.fingerprint.parameter_request_list += std::to_string(code);
  }
  events_->Record(std::move(e));
}

}  // namespace rackboot::bootd::dhcp
