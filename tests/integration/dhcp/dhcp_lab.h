#pragma once
// Shared set-up for the DHCP integration tests: a NetnsLab, bootd started
// inside a namespace with a generated config (and optional Machine
// manifests), and small waiting/reading helpers. Every address used lives
// inside the lab's own namespaces.

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/netns_lab.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing::dhcp {

inline void WriteFile(const std::string& path, const std::string& content, bool executable = false) {
  std::ofstream(path) << content;
  if (executable) std::system(("chmod +x " + path).c_str());
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Polls `done` until it is true or `limit` passes (a bound, not a timing
// assertion: the check after it says what was expected).
inline bool WaitUntil(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The dotted address right after the first `token` in `text`, or "".
inline std::string AddressAfter(const std::string& text, const std::string& token) {
  size_t at = text.find(token);
  if (at == std::string::npos) return "";
  at += token.size();
  size_t end = text.find_first_not_of("0123456789.", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

inline size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// One `dhcp.pools[]` entry of bootd's YAML.
struct LabPool {
  LabPool() = default;
  LabPool(std::string subnet_, std::string start, std::string end, std::string router_, int lease = 600)
      : subnet(std::move(subnet_)),
        range_start(std::move(start)),
        range_end(std::move(end)),
        router(std::move(router_)),
        lease_seconds(lease) {}
  std::string subnet = "192.0.2.0/24";
  std::string range_start = "192.0.2.100";
  std::string range_end = "192.0.2.120";
  std::string router = "192.0.2.1";
  int lease_seconds = 600;
  std::string extra;  // more pool fields, each "      key: value\n"
};

// bootd's YAML for a lab rack: rack-a, DHCP on eth0 as 192.0.2.1 (the srv
// side of ConnectServerAndClient) with one 192.0.2.100-120 pool by default.
// Tests change only the fields they are about.
struct LabBootdConfig {
  explicit LabBootdConfig(std::string state_dir_) : state_dir(std::move(state_dir_)) {}
  std::string state_dir;
  std::string mode = "server";  // pools are written in server mode only
  std::string log_level = "debug";
  std::string server_address = "192.0.2.1";
  std::string manifest_dir;  // standalone Machine/BootProfile manifests
  std::string dhcp_extra;    // more `dhcp:` fields, each "  key: value\n"
  std::vector<LabPool> pools = {LabPool{}};
  std::string sections;  // more top-level sections (tftp:, http:, metrics:)

  std::string Yaml() const {
    std::string y = "rack: rack-a\nlogLevel: " + log_level + "\nstateDir: " + state_dir + "\n";
    if (!manifest_dir.empty()) y += "manifestDir: " + manifest_dir + "\n";
    y += "dhcp:\n  mode: " + mode + "\n  interface: eth0\n  serverAddress: " + server_address + "\n" + dhcp_extra;
    if (mode == "server" && !pools.empty()) {
      y += "  pools:\n";
      for (const LabPool& p : pools) {
        y += "    - subnet: " + p.subnet + "\n      rangeStart: " + p.range_start + "\n      rangeEnd: " + p.range_end +
             "\n      router: " + p.router + "\n      leaseSeconds: " + std::to_string(p.lease_seconds) + "\n" +
             p.extra;
      }
    }
    // ProxyDHCP that offers no boot file is refused (docs/bootd-config.md):
    // a proxy lab serves TFTP from its state directory unless the test
    // brings its own tftp: section.
    if (mode == "proxy" && sections.find("tftp:") == std::string::npos) y += "tftp:\n  root: " + state_dir + "\n";
    return y + sections;
  }
};

// A Machine with one NIC `mac` booting BootProfile "tiny" (kernel at
// `kernel_url`), as one standalone manifest file.
inline std::string TinyMachineManifest(const std::string& name, const std::string& mac, const std::string& kernel_url) {
  return "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: " + name +
         "\nspec:\n  rack: rack-a\n  interfaces:\n    - mac: \"" + mac +
         "\"\n  bootProfileRef:\n    name: tiny\n---\n"
         "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: tiny\nspec:\n  kernel:\n    url: " +
         kernel_url + "\n  cmdline: console=ttyS0\n";
}

// Starts bootd in `ns` with `config_yaml` and waits for "ready".
inline std::unique_ptr<LabProcess> StartBootd(NetnsLab& lab, const std::string& ns, const std::string& config_yaml) {
  const std::string path = lab.work_dir() + "/bootd-" + ns + ".yaml";
  WriteFile(path, config_yaml);
  auto p = lab.Spawn(ns, {BinaryPath("bootd/bootd"), "--config", path});
  WaitUntil([&] { return p->Output().find("msg=ready") != std::string::npos || !p->Running(); });
  return p;
}

// srv:eth0 (192.0.2.1/24) <-veth-> cli:eth0 (no address): bootd in srv,
// the DHCP client in cli.
inline void ConnectServerAndClient(NetnsLab& lab) {
  lab.AddVeth("srv", "eth0", "cli", "eth0");
  lab.SetAddress("srv", "eth0", "192.0.2.1/24");
  lab.SetUp("srv", "eth0");
  lab.SetUp("cli", "eth0");
}

// One udhcpc exchange in `ns` (-q: exit once bound, -n: fail when no
// lease); returns udhcpc's exit code.
inline int RunUdhcpcOnce(NetnsLab& lab, const std::string& ns, const std::string& hook, std::string* output) {
  return lab.Run(
      ns, {"timeout", "60", "udhcpc", "-f", "-q", "-n", "-i", "eth0", "-s", hook, "-t", "10", "-T", "1", "-A", "1"},
      output);
}

// A udhcpc/dhclient hook script that appends "<reason> <address>" lines to
// `events` and configures the address so that renewals can be unicast.
inline std::string UdhcpcScript(const std::string& events) {
  // The event is written after the address is configured: a test that
  // reacts to "bound" (e.g. by forcing a renew) must find the address in
  // place, or the unicast ACK arrives at an interface without it.
  return "#!/bin/sh\n"
         "case \"$1\" in\n"
         "  bound|renew) ip addr flush dev $interface; ip addr add $ip/${mask:-24} dev $interface ;;\n"
         "  deconfig) ip addr flush dev $interface ;;\n"
         "esac\n"
         "echo \"$1 ip=$ip siaddr=$siaddr boot_file=$boot_file router=$router serverid=$serverid\" >> " +
         events +
         "\n"
         "exit 0\n";
}

inline std::string DhclientScript(const std::string& events) {
  return "#!/bin/sh\n"
         "case \"$reason\" in\n"
         "  BOUND|REBOOT|RENEW|REBIND) ip addr flush dev $interface; ip addr add $new_ip_address/24 dev $interface ;;\n"
         "  RELEASE|EXPIRE|STOP) ip addr flush dev $interface ;;\n"
         "esac\n"
         "echo \"$reason ip=$new_ip_address old=$old_ip_address\" >> " +
         events +
         "\n"
         "exit 0\n";
}

}  // namespace rackboot::testing::dhcp
