// libFuzzer target: decode -> decide -> encode, in server and proxy mode,
// with a known machine (reservation, boot answers) and a small pool. The
// first input byte picks the mode and port; the rest is the packet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bootd/dhcp/dhcp_engine.h"
#include "bootd/leases/memory_lease_store.h"

using namespace rackboot;
using namespace rackboot::bootd;
using namespace rackboot::bootd::dhcp;

namespace {

BootdConfig MakeConfig(DhcpMode mode) {
  BootdConfig c;
  c.dhcp.mode = mode;
  c.dhcp.interface = "eth0";
  c.dhcp.server_address = *Ipv4Address::Parse("192.0.2.1");
  c.http.public_url = "http://192.0.2.1:8080";
  DhcpPoolConfig pool;
  pool.subnet = *Ipv4Prefix::Parse("192.0.2.0/24");
  pool.range_start = *Ipv4Address::Parse("192.0.2.100");
  pool.range_end = *Ipv4Address::Parse("192.0.2.103");
  pool.router = pool.subnet.network;
  c.dhcp.pools.push_back(pool);
  return c;
}

struct World {
  explicit World(DhcpMode mode) : config(MakeConfig(mode)), engine(config, assignments, leases, &events, &discovered) {
    Assignment a;
    a.machine_name = "default/node1";
    a.hostname = "node1";
    a.uuid = "11223344-5566-7788-99aa-bbccddeeff01";
    a.interfaces.push_back({*MacAddress::Parse("52:54:00:12:34:56"), Ipv4Address::Parse("192.0.2.50"), true});
    a.boot_file_overrides["x86_64-uefi"] = "snponly.efi";
    assignments.ReplaceAll({a});
  }
  BootdConfig config;
  AssignmentStore assignments;
  MemoryLeaseStore leases;
  BootEventRecorder events{8, 64};
  DiscoveredClients discovered{64};
  DhcpEngine engine;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static World server(DhcpMode::kServer);
  static World proxy(DhcpMode::kProxy);
  const uint8_t selector = data[0];
  World& w = (selector & 1) ? proxy : server;
  auto p = DecodePacket4(std::span<const uint8_t>(data + 1, size - 1));
  if (!p.ok()) return 0;
  RequestContext ctx;
  ctx.local_port = (selector & 2) ? kPxeBootServerPort : kServerPort;
  ctx.source_ip = p->ciaddr;
  ctx.now_unix = 1'800'000'000 + (selector >> 2);
  Decision d = w.engine.Decide(*p, ctx);
  if (!d.reply) return 0;
  if (w.config.dhcp.mode == DhcpMode::kProxy && !d.reply->yiaddr.IsZero()) std::abort();  // never an address
  if (d.reply->message_type() == MessageType::kNak && w.config.dhcp.mode == DhcpMode::kProxy) std::abort();
  auto bytes = EncodePacket4(*d.reply, d.max_message_size, d.requested);
  if (bytes.ok() && bytes->size() > std::max<size_t>(d.max_message_size, 576) - 28) std::abort();
  return 0;
}
