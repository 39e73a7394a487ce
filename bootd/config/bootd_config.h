#pragma once
// bootd's own configuration (one rack): which interface, which DHCP mode,
// where files live. Machines and profiles are not here: they come from the
// controller, or in standalone mode from a manifest directory.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bootd/leases/fsync_policy.h"
#include "common/config_position.h"
#include "common/net_address.h"

namespace rackboot::bootd {

enum class DhcpMode { kServer, kProxy, kOff };

struct DhcpPoolConfig {
  Ipv4Prefix subnet;
  Ipv4Address range_start;
  Ipv4Address range_end;
  std::optional<Ipv4Address> router;
  std::vector<Ipv4Address> dns_servers;
  std::string domain_name;
  uint32_t lease_seconds = 3600;
};

// dhcp.leases: the durable lease journal (bootd/leases/lease_journal.h).
struct DhcpLeasesConfig {
  std::string path;                         // default <stateDir>/dhcp-leases.journal
  FsyncPolicy fsync = FsyncPolicy::kGroup;  // always | group | never
  int compact_ratio = 4;                    // compact when the log holds > ratio x live leases
};

// dhcp.pxeMenu: the PXE 2.1 boot menu (option 43 sub-options 9 and 10) for
// legacy PXE ROMs that show one; no items = no menu.
struct PxeMenuItem {
  uint16_t type = 0;  // PXE boot server type (0 = local boot, 0x8000+ vendor)
  std::string description;
};
struct PxeMenuConfig {
  std::vector<PxeMenuItem> items;
  std::string prompt;            // shown before the menu, e.g. "Press F8 for boot menu"
  uint8_t timeout_seconds = 10;  // PXE 2.1: 0 = first item at once, 255 = wait for a key
};

enum class Ipv6RouterAdvertisement { kAuto, kOn, kOff };

struct DhcpConfig {
  DhcpMode mode = DhcpMode::kOff;
  std::string interface;  // e.g. eth0; required unless mode is off
  // Our address on that interface (siaddr, option 54). Optional in YAML:
  // zero here until bootd/config/host_checks.h derives it from the interface.
  Ipv4Address server_address;
  std::vector<DhcpPoolConfig> pools;
  DhcpLeasesConfig leases;
  // Client class -> boot file for firmware PXE (TFTP name) and UEFI HTTP
  // Boot (<http.public_url>/artifacts/<file>). Classes: x86_64-bios, i386-uefi,
  // x86_64-uefi, arm32-uefi, arm64-uefi, x86_64-uefi-http, arm64-uefi-http.
  // Defaults are the iPXE binaries of Debian's ipxe package; YAML bootFiles
  // entries replace single classes.
  std::map<std::string, std::string> boot_files = {{"x86_64-bios", "undionly.kpxe"},
                                                   {"x86_64-uefi", "ipxe.efi"},
                                                   {"arm64-uefi", "ipxe-arm64.efi"},
                                                   {"x86_64-uefi-http", "ipxe.efi"},
                                                   {"arm64-uefi-http", "ipxe-arm64.efi"}};
  // The classes the YAML named in bootFiles. The defaults of the others are
  // offered only when the service that serves them (TFTP, or HTTP for the
  // -http classes) is on; a class the operator named is an error then.
  std::set<std::string> configured_boot_files;
  bool ipxe_no_proxy_wait = true;             // option 175.176 = 1: iPXE skips its 2-3 s ProxyDHCP wait
  uint32_t offer_hold_seconds = 60;           // an offered address stays reserved this long
  uint32_t decline_quarantine_seconds = 600;  // a DECLINEd address is not offered again for this long
  uint32_t rate_limit_per_mac = 20;           // packets per second per MAC; 0 = unlimited
  uint32_t queue_capacity = 4096;             // pending packets; the oldest is dropped when full
  // A request that waited longer than this in the queue is dropped (reason
  // "stale"): iPXE and perfdhcp retransmit after 1 s, so a reply built later
  // would arrive after the retransmit it duplicates. 0 = never.
  uint32_t stale_request_millis = 500;
  // ICMP echo to a pool address before offering it to a new client; one that
  // answers is quarantined and another offered. 0 = off (the default): every
  // first OFFER would wait this long, and bootd owns its pools.
  uint32_t ping_check_millis = 0;
  // The "no IPv6 router" Router Advertisement that spares iPXE its ~13 s
  // IPv6 router-discovery wait (bootd/dhcp/router_advertisement.h). auto:
  // on in server mode when bootd can open a raw ICMPv6 socket (a warning
  // otherwise), off in proxy mode where the network belongs to someone else.
  Ipv6RouterAdvertisement ipv6_router_advertisement = Ipv6RouterAdvertisement::kAuto;
  PxeMenuConfig pxe_menu;
};

struct TftpConfig {
  bool enabled = false;
  std::string listen = "0.0.0.0:69";
  std::string root;
  // Concurrent transfers; more requests wait in a FIFO queue of max_queued,
  // and past that are left unanswered for the client to retransmit. Never
  // an ERROR: a PXE ROM fails the boot on one (bootd/tftp/transfer_admission.h).
  int max_transfers = 512;
  int max_queued = 4096;
  int64_t queued_ttl_millis = 15000;  // a queued request whose client stops retransmitting expires
  int max_blksize = 65464;            // RFC 2348 cap; also clamped per transfer to path MTU - 32
  int max_windowsize = 64;            // RFC 7440 cap
  int retransmit_millis = 1000;       // first retransmission when the client negotiated no timeout
  int max_retries = 6;                // timer expiries without progress before a transfer is dropped
};

struct HttpConfig {
  bool enabled = false;
  std::string listen = "0.0.0.0:8080";
  // What clients are told, e.g. http://10.0.0.1:8080. Optional in YAML:
  // derived from dhcp.serverAddress and the listen port when not set.
  std::string public_url;
  std::string artifact_root;
  // Rack-local cache of upstream (http/https + sha256) kernels and initrds;
  // empty = machines fetch upstream URLs themselves.
  std::string artifact_cache_dir;
  std::string tls_listen;     // HTTPS listener, e.g. 0.0.0.0:8443; empty = off
  std::string tls_cert_file;  // PEM chain; reloaded when it changes on disk
  std::string tls_key_file;
  std::map<std::string, std::string> environment;  // rack values for templates, {{env.nfs-server}}
  std::vector<std::string> public_configs;         // install configs served without a token (e.g. meta-data)
  int64_t token_ttl_seconds = 3600;                // lifetime of install-config tokens
  // Connection limits (bootd/http/connection_admission.h): at
  // max_connections (max_tls_connections for HTTPS, a thread each) bootd
  // stops accepting and connections wait in the listen backlog; a client
  // address past max_connections_per_client is answered 503 + Retry-After.
  int64_t max_connections = 4096;
  int64_t max_tls_connections = 1024;
  int64_t max_connections_per_client = 32;
};

// Where assignments come from in controller mode (bootd dials the
// controller over mTLS; see proto/rackboot/v1alpha1/assignment.proto).
struct ControllerLinkConfig {
  bool enabled = false;   // true when the `controller:` section is present
  std::string address;    // host:port of the controller's push endpoint
  std::string ca_file;    // CA of the controller's certificate
  std::string cert_file;  // our client certificate, CN "bootd:<rack>"
  std::string key_file;
  std::string server_name;    // TLS name to verify; empty: host part of address
  std::string snapshot_path;  // last good assignments; default <stateDir>/assignments.snap
};

struct BootdConfig {
  std::string source_file;
  ConfigPositions positions;  // where each field was written, for later checks
  std::string rack;
  std::string log_level = "info";
  std::string state_dir = "/var/lib/rackboot";
  std::string manifest_dir;  // standalone mode when set
  // SIGTERM: how long in-flight transfers, downloads and boot events may
  // take before bootd stops anyway. Below Kubernetes' default 30 s grace
  // period, so the drain ends before the kubelet's SIGKILL.
  int shutdown_grace_seconds = 20;
  DhcpConfig dhcp;
  TftpConfig tftp;
  HttpConfig http;
  std::string metrics_listen;  // empty (no `metrics:` section): off
  ControllerLinkConfig controller;
};

// Parses and validates what the file alone decides. Throws ConfigError
// naming file, line and field. What depends on the host (interfaces,
// addresses, files) is checked by bootd/config/host_checks.h.
BootdConfig LoadBootdConfig(const std::string& path);

}  // namespace rackboot::bootd
