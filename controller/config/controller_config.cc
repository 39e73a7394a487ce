#include "controller/config/controller_config.h"

#include <set>

#include "common/yaml_config.h"

namespace rackboot::controller {
namespace {

Ipv4Address ParseIp(const YamlMap& m, const std::string& key) {
  std::string text = m.String(key);
  auto ip = Ipv4Address::Parse(text);
  if (!ip) m.Fail(key, "'" + text + "' is not an IPv4 address");
  return *ip;
}

Ipv4Prefix ParsePrefix(const YamlMap& m, const std::string& key) {
  std::string text = m.String(key);
  auto p = Ipv4Prefix::Parse(text);
  if (!p) m.Fail(key, "'" + text + "' is not an IPv4 prefix like 10.0.0.0/24");
  return *p;
}

}  // namespace

ControllerConfig LoadControllerConfig(const std::string& path) {
  YamlMap root(LoadYamlFile(path), path, "");
  ControllerConfig c;
  c.source_file = path;
  c.log_level = root.Enum("logLevel", {"debug", "info", "warn", "error"}, "info");
  c.kubeconfig = root.String("kubeconfig", "");
  c.namespace_ = root.String("namespace", "");
  if (root.Has("secretNamespaces")) {
    c.secret_namespaces = root.StringList("secretNamespaces");
    for (const auto& ns : c.secret_namespaces) {
      if (ns.empty()) root.Fail("secretNamespaces", "a namespace name cannot be empty (cluster-wide is not offered)");
      if (!c.namespace_.empty() && ns != c.namespace_) {
        root.Fail("secretNamespaces", "namespace '" + ns + "' is not the watched namespace '" + c.namespace_ + "'");
      }
    }
  } else if (!c.namespace_.empty()) {
    c.secret_namespaces = {c.namespace_};
  }
  if (auto grpc = root.OptionalMap("grpc")) {
    c.grpc_listen = grpc->String("listen", c.grpc_listen);
    c.grpc_unix_socket = grpc->String("unixSocket", "");
    if (auto tls = grpc->OptionalMap("tls")) {
      c.tls_ca_file = tls->String("caFile");
      c.tls_cert_file = tls->String("certFile");
      c.tls_key_file = tls->String("keyFile");
      tls->RejectUnknownFields();
    }
    grpc->RejectUnknownFields();
  }
  if (auto metrics = root.OptionalMap("metrics")) {
    c.metrics_listen = metrics->String("listen", "0.0.0.0:9090");  // the chart's controller.metricsPort
    metrics->RejectUnknownFields();
  }
  if (auto le = root.OptionalMap("leaderElection")) {
    c.leader_election = le->Bool("enabled", true);
    c.lease_name = le->String("leaseName", c.lease_name);
    c.lease_namespace = le->String("leaseNamespace", c.lease_namespace);
    c.lease_duration_seconds = static_cast<int>(le->Int("leaseDurationSeconds", 1, 3600, 15));
    c.renew_deadline_seconds = static_cast<int>(le->Int("renewDeadlineSeconds", 1, 3600, 10));
    c.retry_period_seconds = static_cast<int>(le->Int("retryPeriodSeconds", 1, 3600, 2));
    if (c.renew_deadline_seconds >= c.lease_duration_seconds) {
      le->Fail("renewDeadlineSeconds", "must be shorter than leaseDurationSeconds");
    }
    if (c.retry_period_seconds >= c.renew_deadline_seconds) {
      le->Fail("retryPeriodSeconds", "must be shorter than renewDeadlineSeconds");
    }
    le->RejectUnknownFields();
  }
  if (auto bp = root.OptionalMap("bootProgress")) {
    c.boot_loop_threshold = static_cast<int>(bp->Int("bootLoopThreshold", 1, 1000, 3));
    bp->RejectUnknownFields();
  }
  if (auto d = root.OptionalMap("discovery")) {
    c.discovery_create_machines = d->Bool("createMachines", false);
    c.discovery_namespace = d->String("namespace", "");
    c.discovery_max_machines = static_cast<int>(d->Int("maxMachines", 1, 100000, 256));
    d->RejectUnknownFields();
  }
  std::set<std::string> rack_names;
  for (const YamlMap& r : root.MapList("racks")) {
    RackNetwork rack;
    rack.name = r.String("name");
    if (!rack_names.insert(rack.name).second) r.Fail("name", "duplicate rack '" + rack.name + "'");
    // No pool: a ProxyDHCP rack, addresses come from the site's DHCP server.
    // The subnet only bounds a pool, so it is optional without one.
    rack.has_pool = r.Has("pool");
    if (rack.has_pool || r.Has("subnet")) rack.subnet = ParsePrefix(r, "subnet");
    if (rack.has_pool) {
      YamlMap pool = r.Map("pool");
      rack.pool_start = ParseIp(pool, "start");
      rack.pool_end = ParseIp(pool, "end");
      if (rack.pool_end < rack.pool_start) pool.Fail("end", "must not be below pool.start");
      if (!rack.subnet.Contains(rack.pool_start)) pool.Fail("start", "is outside subnet " + rack.subnet.ToString());
      if (!rack.subnet.Contains(rack.pool_end)) pool.Fail("end", "is outside subnet " + rack.subnet.ToString());
      pool.RejectUnknownFields();
    }
    if (r.Has("router")) rack.router = ParseIp(r, "router");
    for (const std::string& d : r.StringList("dns")) {
      auto ip = Ipv4Address::Parse(d);
      if (!ip) r.Fail("dns", "'" + d + "' is not an IPv4 address");
      rack.dns.push_back(*ip);
    }
    r.RejectUnknownFields();
    c.racks.push_back(std::move(rack));
  }
  root.RejectUnknownFields();
  return c;
}

}  // namespace rackboot::controller
