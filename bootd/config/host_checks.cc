#include "bootd/config/host_checks.h"

#include <algorithm>
#include <charconv>

#include "common/yaml_config.h"

namespace rackboot::bootd {
namespace {

using Severity = ConfigFinding::Severity;

struct Listen {
  Ipv4Address host;
  int port = 0;
};

// "HOST:PORT" with an IPv4 host (0.0.0.0 = every address).
std::optional<Listen> ParseListen(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  auto host = Ipv4Address::Parse(text.substr(0, colon));
  int port = -1;
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(begin, end, port);
  if (!host || ec != std::errc() || p != end || port < 0 || port > 65535) return std::nullopt;
  return Listen{*host, port};
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "none" : out;
}

std::string AddressList(const InterfaceFacts& iface) {
  std::vector<std::string> items;
  for (const Ipv4Prefix& p : iface.ipv4) items.push_back(p.ToString());
  return Join(items);
}

class Checker {
 public:
  Checker(BootdConfig& c, const HostFacts& host) : c_(c), host_(host) {}

  std::vector<ConfigFinding> Run() {
    CheckDirectory("manifestDir", c_.manifest_dir);
    CheckStateFiles();
    if (c_.dhcp.mode != DhcpMode::kOff) CheckDhcpInterface();
    if (c_.tftp.enabled) CheckTftp();
    if (c_.http.enabled) CheckHttp();
    if (c_.dhcp.mode != DhcpMode::kOff) CheckBootFiles();
    if (c_.dhcp.mode == DhcpMode::kServer) CheckPools();
    if (c_.controller.enabled) CheckControllerLink();
    if (!c_.metrics_listen.empty()) CheckListen("metrics.listen", c_.metrics_listen);
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const ConfigFinding& a, const ConfigFinding& b) { return a.severity < b.severity; });
    return std::move(findings_);
  }

 private:
  void Add(Severity s, std::string field, std::string text) {
    findings_.push_back(ConfigFinding{s, std::move(field), std::move(text)});
  }

  void CheckDirectory(const std::string& field, const std::string& path) {
    if (path.empty()) return;
    const PathKind k = host_.Kind(path);
    if (k == PathKind::kMissing) Add(Severity::kError, field, path + " does not exist");
    if (k == PathKind::kRegularFile || k == PathKind::kOther)
      Add(Severity::kError, field, path + " is not a directory");
  }

  // Created at start when missing (with its parents): the closest existing
  // ancestor must be a directory bootd may write to.
  void CheckCreatableDirectory(const std::string& field, const std::string& path) {
    if (path.empty()) return;
    std::string at = path;
    while (host_.Kind(at) == PathKind::kMissing && at != "/" && at != ".") at = Parent(at);
    if (host_.Kind(at) != PathKind::kDirectory) {
      Add(Severity::kError, field, at == path ? path + " is not a directory" : at + " is not a directory");
    } else if (!host_.Writable(at)) {
      Add(Severity::kError, field, (at == path ? path : "creating " + path + ": " + at) + " is not writable");
    }
  }

  static std::string Parent(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
  }

  // Written at run time: the lease journal (DHCP) and the controller's
  // last-snapshot file.
  void CheckStateFiles() {
    if (c_.dhcp.mode != DhcpMode::kOff) CheckCreatableDirectory("dhcp.leases.path", Parent(c_.dhcp.leases.path));
    if (c_.controller.enabled) {
      CheckCreatableDirectory("controller.snapshotPath", Parent(c_.controller.snapshot_path));
    }
  }

  void CheckListen(const std::string& field, const std::string& text) {
    auto l = ParseListen(text);
    if (!l) {
      Add(Severity::kError, field, "must be IPv4:PORT, e.g. 0.0.0.0:8080 (got \"" + text + "\")");
      return;
    }
    if (!l->host.IsZero() && !host_.IsLocalIpv4(l->host)) {
      Add(Severity::kError, field, l->host.ToString() + " is not an address of this host, so it cannot be bound");
    }
  }

  void CheckDhcpInterface() {
    auto iface = host_.Interface(c_.dhcp.interface);
    if (!iface) {
      Add(Severity::kError, "dhcp.interface",
          "there is no interface " + c_.dhcp.interface + " (this host has: " + Join(host_.InterfaceNames()) + ")");
      return;
    }
    if (c_.dhcp.server_address.IsZero()) {
      if (iface->ipv4.empty()) {
        Add(Severity::kError, "dhcp.serverAddress",
            "is not set and " + iface->name + " has no IPv4 address to take it from");
        return;
      }
      c_.dhcp.server_address = iface->ipv4.front().network;
      Add(Severity::kDerived, "dhcp.serverAddress", c_.dhcp.server_address.ToString() + " (from " + iface->name + ")");
      return;
    }
    const bool on_interface = std::any_of(iface->ipv4.begin(), iface->ipv4.end(),
                                          [&](const Ipv4Prefix& p) { return p.network == c_.dhcp.server_address; });
    if (!on_interface) {
      Add(Severity::kError, "dhcp.serverAddress",
          c_.dhcp.server_address.ToString() + " is not an address of " + iface->name + " (it has " +
              AddressList(*iface) + "); clients would be told to use a server that is not there");
    }
  }

  void CheckTftp() {
    CheckListen("tftp.listen", c_.tftp.listen);
    CheckDirectory("tftp.root", c_.tftp.root);
  }

  void CheckHttp() {
    HttpConfig& h = c_.http;
    CheckListen("http.listen", h.listen);
    CheckDirectory("http.artifactRoot", h.artifact_root);
    CheckCreatableDirectory("http.artifactCacheDir", h.artifact_cache_dir);
    if (!h.tls_listen.empty()) {
      CheckListen("http.tlsListen", h.tls_listen);
      Status tls = host_.TlsKeyPair(h.tls_cert_file, h.tls_key_file);
      if (!tls.ok()) Add(Severity::kError, "http.tlsCertFile", tls.message());
    }
    if (h.public_url.empty()) DerivePublicUrl();
  }

  void DerivePublicUrl() {
    auto l = ParseListen(c_.http.listen);
    if (!l) return;  // reported by CheckListen
    const Ipv4Address host = !l->host.IsZero() ? l->host : c_.dhcp.server_address;
    if (host.IsZero()) {
      Add(Severity::kError, "http.publicUrl",
          "is required: boot scripts need absolute URLs, and there is neither a dhcp.serverAddress nor a specific "
          "http.listen address to build one from");
      return;
    }
    c_.http.public_url = "http://" + host.ToString() + ":" + std::to_string(l->port);
    Add(Severity::kDerived, "http.publicUrl", c_.http.public_url);
  }

  // Every boot file DHCP offers must be served: TFTP classes by bootd's
  // TFTP from tftp.root, -http classes by its HTTP from /artifacts/ (the
  // artifact root) unless the file is an absolute URL.
  void CheckBootFiles() {
    std::vector<std::string> dropped;
    for (auto it = c_.dhcp.boot_files.begin(); it != c_.dhcp.boot_files.end();) {
      const std::string& cls = it->first;
      const std::string& file = it->second;
      const std::string field = "dhcp.bootFiles." + cls;
      const bool over_http = EndsWith(cls, "-http");
      const bool configured = c_.dhcp.configured_boot_files.count(cls) > 0;
      const bool served = over_http ? c_.http.enabled : c_.tftp.enabled;
      if (!served) {
        if (configured) {
          Add(Severity::kError, field,
              file + " is offered over " + (over_http ? "HTTP" : "TFTP") + " but bootd's " +
                  (over_http ? "http" : "tftp") + " is off (add an " + (over_http ? "http:" : "tftp:") +
                  " section, or set " + cls + ": \"\" to offer nothing)");
        } else {
          dropped.push_back(cls);
        }
        it = c_.dhcp.boot_files.erase(it);
        continue;
      }
      CheckBootFileExists(field, file, over_http);
      ++it;
    }
    if (!dropped.empty()) {
      Add(Severity::kDerived, "dhcp.bootFiles",
          "default boot files not offered, their service is off: " + Join(dropped));
    }
    const bool anything = !c_.dhcp.boot_files.empty() || c_.http.enabled;  // iPXE gets its script over HTTP
    if (!anything) {
      Add(c_.dhcp.mode == DhcpMode::kProxy ? Severity::kError : Severity::kWarning, "dhcp.bootFiles",
          std::string("no boot file is offered (tftp and http are off): PXE clients ") +
              (c_.dhcp.mode == DhcpMode::kProxy ? "get nothing from a ProxyDHCP server that offers no boot file"
                                                : "get an address but nothing to boot"));
    }
  }

  void CheckBootFileExists(const std::string& field, const std::string& file, bool over_http) {
    if (file.rfind("http://", 0) == 0 || file.rfind("https://", 0) == 0) return;
    const std::string root = over_http ? c_.http.artifact_root : c_.tftp.root;
    if (root.empty()) {
      Add(Severity::kWarning, field,
          file + " is served from http.artifactRoot, which is not set: this class of firmware will not boot");
      return;
    }
    if (host_.Kind(root) != PathKind::kDirectory) return;  // reported with the root
    if (host_.Kind(root + "/" + file) != PathKind::kRegularFile) {
      Add(Severity::kWarning, field,
          file + " is not in " + (over_http ? "http.artifactRoot " : "tftp.root ") + root +
              ": this class of firmware will not boot");
    }
  }

  // RFC 2131 §4.3.1: a directly attached client gets an address from the
  // pool holding serverAddress; a relayed one from the pool holding giaddr.
  void CheckPools() {
    const Ipv4Address own = c_.dhcp.server_address;
    if (own.IsZero()) return;  // reported with the interface
    const bool direct = std::any_of(c_.dhcp.pools.begin(), c_.dhcp.pools.end(),
                                    [&](const DhcpPoolConfig& p) { return p.subnet.Contains(own); });
    CheckNeighbourTable();
    if (!direct) {
      Add(Severity::kWarning, "dhcp.pools",
          "no pool's subnet contains serverAddress " + own.ToString() + ": clients on " + c_.dhcp.interface +
              " itself get no address; only requests relayed "
              "from a pool's subnet (giaddr) are answered");
    }
  }

  // Every client bootd answers over IP (DHCP unicast, TFTP, HTTP) needs a
  // neighbour entry while it talks. Past the kernel's hard limit, shared by
  // every namespace of the host, the kernel drops packets to new clients
  // ("neighbor table overflow" in dmesg): in a storm of a whole rack that
  // is boots lost below bootd, where no bootd metric sees them. Linux's
  // default (1024) is smaller than a 1,000-machine rack plus the host's own
  // neighbours.
  void CheckNeighbourTable() {
    const std::optional<int64_t> limit = host_.NeighbourTableLimit();
    if (!limit) return;
    uint64_t addresses = 0;
    for (const DhcpPoolConfig& p : c_.dhcp.pools) {
      if (p.range_end.value() >= p.range_start.value()) addresses += p.range_end.value() - p.range_start.value() + 1;
    }
    const uint64_t wanted = 2 * addresses;  // the rack, with room for the host's own neighbours
    if (static_cast<uint64_t>(*limit) >= wanted) return;
    Add(Severity::kWarning, "dhcp.pools",
        "the pools hold " + std::to_string(addresses) + " addresses, but the kernel keeps at most " +
            std::to_string(*limit) +
            " neighbour entries for the whole host (net.ipv4.neigh.default.gc_thresh3): when more clients "
            "boot at once the kernel drops packets to new ones (dmesg: neighbor table overflow); set "
            "gc_thresh3 to at least " +
            std::to_string(wanted) +
            " and gc_thresh2 to half of it "
            "(docs/dhcp.md, \"Big racks\")");
  }

  void CheckControllerLink() {
    const ControllerLinkConfig& l = c_.controller;
    Status ca = host_.PemCertificates(l.ca_file);
    if (!ca.ok()) Add(Severity::kError, "controller.caFile", ca.message());
    Status pair = host_.TlsKeyPair(l.cert_file, l.key_file);
    if (!pair.ok()) Add(Severity::kError, "controller.certFile", pair.message());
  }

  BootdConfig& c_;
  const HostFacts& host_;
  std::vector<ConfigFinding> findings_;
};

}  // namespace

std::vector<ConfigFinding> CheckConfigOnHost(BootdConfig& config, const HostFacts& host) {
  return Checker(config, host).Run();
}

bool HasErrors(const std::vector<ConfigFinding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const ConfigFinding& f) { return f.severity == ConfigFinding::Severity::kError; });
}

std::string FormatFinding(const BootdConfig& config, const ConfigFinding& finding) {
  return ConfigErrorAt(config.source_file, config.positions, finding.field, finding.text).what();
}

}  // namespace rackboot::bootd
