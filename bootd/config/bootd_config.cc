#include "bootd/config/bootd_config.h"

#include <algorithm>
#include <iterator>

#include "common/yaml_config.h"

namespace rackboot::bootd {
namespace {

Ipv4Address ParseIp(const YamlMap& m, const std::string& key) {
  auto ip = Ipv4Address::Parse(m.String(key));
  if (!ip) m.Fail(key, "must be a dotted IPv4 address (got \"" + m.String(key) + "\")");
  return *ip;
}

DhcpPoolConfig ParsePool(const YamlMap& m) {
  DhcpPoolConfig pool;
  auto subnet = Ipv4Prefix::Parse(m.String("subnet"));
  if (!subnet) m.Fail("subnet", "must be an IPv4 prefix like 10.0.0.0/24");
  pool.subnet = *subnet;
  pool.range_start = ParseIp(m, "rangeStart");
  pool.range_end = ParseIp(m, "rangeEnd");
  if (!pool.subnet.Contains(pool.range_start)) m.Fail("rangeStart", "is outside subnet " + pool.subnet.ToString());
  if (!pool.subnet.Contains(pool.range_end)) m.Fail("rangeEnd", "is outside subnet " + pool.subnet.ToString());
  if (pool.range_end < pool.range_start) m.Fail("rangeEnd", "must not be below rangeStart");
  if (m.Has("router")) pool.router = ParseIp(m, "router");
  for (const std::string& dns : m.StringList("dnsServers")) {
    auto ip = Ipv4Address::Parse(dns);
    if (!ip) m.Fail("dnsServers", "entry \"" + dns + "\" is not an IPv4 address");
    pool.dns_servers.push_back(*ip);
  }
  pool.domain_name = m.String("domainName", "");
  // Down to 10 s: short leases let tests watch RENEWING and REBINDING.
  pool.lease_seconds = static_cast<uint32_t>(m.Int("leaseSeconds", 10, 31536000, 3600));
  m.RejectUnknownFields();
  return pool;
}

// PXE 2.1 option 43 sub-options 9 (menu: type(2) len(1) description per
// item) and 10 (prompt: timeout(1) text). Legacy ROMs do not join split
// options (RFC 3396), so all of option 43 (with sub-option 6 and End) must
// fit 255 bytes.
PxeMenuConfig ParsePxeMenu(const YamlMap& m) {
  PxeMenuConfig menu;
  size_t bytes = 3 + 1;  // sub-option 6 and End
  for (const YamlMap& item : m.MapList("items")) {
    PxeMenuItem i;
    i.type = static_cast<uint16_t>(item.Int("type", 0, 65535));
    i.description = item.String("description");
    if (i.description.empty() || i.description.size() > 255) item.Fail("description", "must be 1..255 bytes");
    bytes += 3 + i.description.size();
    item.RejectUnknownFields();
    menu.items.push_back(std::move(i));
  }
  if (menu.items.empty()) m.Fail("items", "a PXE menu needs at least one item");
  bytes += 2;
  menu.prompt = m.String("prompt", "");
  menu.timeout_seconds = static_cast<uint8_t>(m.Int("timeoutSeconds", 0, 255, 10));
  if (!menu.prompt.empty()) bytes += 3 + menu.prompt.size();
  if (bytes > 255) m.Fail("items", "menu and prompt must fit in option 43 (255 bytes, 3 per item)");
  m.RejectUnknownFields();
  return menu;
}

DhcpConfig ParseDhcp(const YamlMap& m) {
  DhcpConfig c;
  std::string mode = m.Enum("mode", {"server", "proxy", "off"}, "off");
  c.mode = mode == "server" ? DhcpMode::kServer : mode == "proxy" ? DhcpMode::kProxy : DhcpMode::kOff;
  c.interface = c.mode != DhcpMode::kOff ? m.String("interface") : m.String("interface", "");
  if (m.Has("serverAddress")) c.server_address = ParseIp(m, "serverAddress");
  for (const YamlMap& p : m.MapList("pools")) c.pools.push_back(ParsePool(p));
  if (c.mode == DhcpMode::kServer && c.pools.empty()) m.Fail("pools", "server mode needs at least one pool");
  for (const auto& [cls, file] : m.StringMap("bootFiles")) {
    static const char* kClasses[] = {"x86_64-bios", "i386-uefi",        "x86_64-uefi",    "arm32-uefi",
                                     "arm64-uefi",  "x86_64-uefi-http", "arm64-uefi-http"};
    if (std::find(std::begin(kClasses), std::end(kClasses), cls) == std::end(kClasses)) {
      m.Fail("bootFiles", "unknown client class \"" + cls + "\" (x86_64-bios, i386-uefi, x86_64-uefi, arm32-uefi, " +
                              "arm64-uefi, x86_64-uefi-http, arm64-uefi-http)");
    }
    c.configured_boot_files.insert(cls);
    if (file.empty()) {
      c.boot_files.erase(cls);
    } else {
      c.boot_files[cls] = file;
    }
  }
  c.ipxe_no_proxy_wait = m.Bool("ipxeNoProxyWait", c.ipxe_no_proxy_wait);
  c.offer_hold_seconds = static_cast<uint32_t>(m.Int("offerHoldSeconds", 1, 3600, c.offer_hold_seconds));
  c.decline_quarantine_seconds =
      static_cast<uint32_t>(m.Int("declineQuarantineSeconds", 0, 604800, c.decline_quarantine_seconds));
  c.rate_limit_per_mac = static_cast<uint32_t>(m.Int("rateLimitPerMac", 0, 100000, c.rate_limit_per_mac));
  c.queue_capacity = static_cast<uint32_t>(m.Int("queueCapacity", 16, 1048576, c.queue_capacity));
  c.stale_request_millis = static_cast<uint32_t>(m.Int("staleRequestMillis", 0, 60000, c.stale_request_millis));
  c.ping_check_millis = static_cast<uint32_t>(m.Int("pingCheckMillis", 0, 5000, c.ping_check_millis));
  const std::string ra = m.Enum("ipv6RouterAdvertisement", {"auto", "on", "off"}, "auto");
  c.ipv6_router_advertisement = ra == "on"    ? Ipv6RouterAdvertisement::kOn
                                : ra == "off" ? Ipv6RouterAdvertisement::kOff
                                              : Ipv6RouterAdvertisement::kAuto;
  if (auto menu = m.OptionalMap("pxeMenu")) c.pxe_menu = ParsePxeMenu(*menu);
  if (auto leases = m.OptionalMap("leases")) {
    c.leases.path = leases->String("path", "");
    c.leases.fsync = *ParseFsyncPolicy(leases->Enum("fsync", {"always", "group", "never"}, "group"));
    c.leases.compact_ratio = static_cast<int>(leases->Int("compactRatio", 2, 1000, c.leases.compact_ratio));
    leases->RejectUnknownFields();
  }
  m.RejectUnknownFields();
  return c;
}

}  // namespace

BootdConfig LoadBootdConfig(const std::string& path) {
  YamlMap root(LoadYamlFile(path), path, "");
  BootdConfig c;
  c.source_file = path;
  c.rack = root.String("rack");
  c.log_level = root.Enum("logLevel", {"debug", "info", "warn", "error"}, "info");
  c.state_dir = root.String("stateDir", c.state_dir);
  c.manifest_dir = root.String("manifestDir", "");
  c.shutdown_grace_seconds = static_cast<int>(root.Int("shutdownGraceSeconds", 0, 3600, c.shutdown_grace_seconds));
  if (auto dhcp = root.OptionalMap("dhcp")) c.dhcp = ParseDhcp(*dhcp);
  if (c.dhcp.leases.path.empty()) c.dhcp.leases.path = c.state_dir + "/dhcp-leases.journal";
  if (auto tftp = root.OptionalMap("tftp")) {
    c.tftp.enabled = tftp->Bool("enabled", true);
    c.tftp.listen = tftp->String("listen", c.tftp.listen);
    c.tftp.root = tftp->String("root");
    c.tftp.max_transfers = static_cast<int>(tftp->Int("maxTransfers", 1, 65536, c.tftp.max_transfers));
    c.tftp.max_queued = static_cast<int>(tftp->Int("maxQueued", 0, 1 << 20, c.tftp.max_queued));
    c.tftp.max_blksize = static_cast<int>(tftp->Int("maxBlksize", 512, 65464, c.tftp.max_blksize));
    c.tftp.max_windowsize = static_cast<int>(tftp->Int("maxWindowsize", 1, 64, c.tftp.max_windowsize));
    c.tftp.retransmit_millis = static_cast<int>(tftp->Int("retransmitMillis", 10, 255000, c.tftp.retransmit_millis));
    c.tftp.max_retries = static_cast<int>(tftp->Int("maxRetries", 1, 100, c.tftp.max_retries));
    tftp->RejectUnknownFields();
  }
  if (auto http = root.OptionalMap("http")) {
    c.http.enabled = http->Bool("enabled", true);
    c.http.listen = http->String("listen", c.http.listen);
    c.http.public_url = http->String("publicUrl", "");
    c.http.artifact_root = http->String("artifactRoot", "");
    c.http.artifact_cache_dir = http->String("artifactCacheDir", "");
    c.http.tls_listen = http->String("tlsListen", "");
    c.http.tls_cert_file = http->String("tlsCertFile", "");
    c.http.tls_key_file = http->String("tlsKeyFile", "");
    if (!c.http.tls_listen.empty() && (c.http.tls_cert_file.empty() || c.http.tls_key_file.empty())) {
      http->Fail("tlsListen", "needs tlsCertFile and tlsKeyFile");
    }
    for (auto& [k, v] : http->StringMap("environment")) c.http.environment[k] = v;
    c.http.public_configs = http->StringList("publicConfigs");
    c.http.token_ttl_seconds = http->Int("tokenTtlSeconds", 60, 7 * 86400, 3600);
    c.http.max_connections = http->Int("maxConnections", 1, 65536, c.http.max_connections);
    c.http.max_tls_connections = http->Int("maxTlsConnections", 1, 65536, c.http.max_tls_connections);
    c.http.max_connections_per_client =
        http->Int("maxConnectionsPerClient", 1, 65536, c.http.max_connections_per_client);
    http->RejectUnknownFields();
  }
  if (auto ctl = root.OptionalMap("controller")) {
    c.controller.enabled = true;
    c.controller.address = ctl->String("address");
    c.controller.ca_file = ctl->String("caFile");
    c.controller.cert_file = ctl->String("certFile");
    c.controller.key_file = ctl->String("keyFile");
    c.controller.server_name = ctl->String("serverName", "");
    c.controller.snapshot_path = ctl->String("snapshotPath", c.state_dir + "/assignments.snap");
    if (!c.manifest_dir.empty())
      ctl->Fail("address", "controller mode and manifestDir (standalone) exclude each other");
    ctl->RejectUnknownFields();
  }
  if (auto metrics = root.OptionalMap("metrics")) {
    c.metrics_listen = metrics->String("listen", "0.0.0.0:9100");  // the chart's bootd.metricsPort
    metrics->RejectUnknownFields();
  }
  root.RejectUnknownFields();
  c.positions = root.positions();
  return c;
}

}  // namespace rackboot::bootd
