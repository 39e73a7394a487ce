#include "bootd/config/serving_summary.h"

namespace rackboot::bootd {
namespace {

const char* ModeName(DhcpMode m) {
  return m == DhcpMode::kServer ? "server" : m == DhcpMode::kProxy ? "proxy" : "off";
}

std::string Line(const std::string& text) {
  return "  " + text + "\n";
}

std::string DescribeDhcp(const DhcpConfig& d, const HttpConfig& http) {
  std::string out = Line(std::string("dhcp: ") + ModeName(d.mode) + " on " + d.interface + ", server address " +
                         d.server_address.ToString() + (d.mode == DhcpMode::kProxy ? " (also port 4011)" : ""));
  for (const DhcpPoolConfig& p : d.pools) {
    out += Line("  pool " + p.subnet.ToString() + ": " + p.range_start.ToString() + "-" + p.range_end.ToString() +
                (p.router ? ", router " + p.router->ToString() : "") + ", lease " + std::to_string(p.lease_seconds) +
                " s");
  }
  for (const auto& [cls, file] : d.boot_files) {
    const bool over_http = cls.size() > 5 && cls.compare(cls.size() - 5, 5, "-http") == 0;
    const bool absolute = file.rfind("http://", 0) == 0 || file.rfind("https://", 0) == 0;
    out += Line("  boot file " + cls + ": " +
                (over_http ? (absolute ? file : http.public_url + "/artifacts/" + file) : "tftp " + file));
  }
  if (http.enabled) out += Line("  iPXE: " + http.public_url + "/ipxe/<mac>");
  out += Line("  leases: " + d.leases.path);
  return out;
}

}  // namespace

std::string DescribeServing(const BootdConfig& c) {
  std::string out = "serving rack " + c.rack + ":\n";
  if (c.dhcp.mode != DhcpMode::kOff) {
    out += DescribeDhcp(c.dhcp, c.http);
  } else {
    out += Line("dhcp: off");
  }
  out += Line(c.tftp.enabled ? "tftp: " + c.tftp.listen + ", root " + c.tftp.root : "tftp: off");
  if (c.http.enabled) {
    out += Line("http: " + c.http.listen + ", clients use " + c.http.public_url);
    if (!c.http.artifact_root.empty()) out += Line("  artifacts: " + c.http.artifact_root);
    if (!c.http.artifact_cache_dir.empty()) out += Line("  upstream cache: " + c.http.artifact_cache_dir);
    if (!c.http.tls_listen.empty())
      out += Line("  https: " + c.http.tls_listen + ", certificate " + c.http.tls_cert_file);
  } else {
    out += Line("http: off");
  }
  if (c.controller.enabled) {
    out += Line("machines: from the controller at " + c.controller.address + " (last snapshot " +
                c.controller.snapshot_path + ")");
  } else if (!c.manifest_dir.empty()) {
    out += Line("machines: standalone, manifests in " + c.manifest_dir);
  } else {
    out += Line("machines: none configured (no controller:, no manifestDir)");
  }
  out += Line(c.metrics_listen.empty() ? "metrics: off" : "metrics: " + c.metrics_listen);
  return out;
}

}  // namespace rackboot::bootd
