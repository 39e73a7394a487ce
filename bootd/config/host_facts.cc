#include "bootd/config/host_facts.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "common/tls_files.h"

namespace rackboot::bootd {
namespace {

int PrefixLength(const sockaddr* mask) {
  if (mask == nullptr) return 32;
  return __builtin_popcount(reinterpret_cast<const sockaddr_in*>(mask)->sin_addr.s_addr);
}

// One snapshot of the host's interfaces: names (with or without an IPv4
// address) and their IPv4 addresses.
class SystemFacts : public HostFacts {
 public:
  SystemFacts() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return;
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      InterfaceFacts& f = interfaces_[i->ifa_name];
      f.name = i->ifa_name;
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      f.ipv4.push_back(Ipv4Prefix{Ipv4Address(ntohl(in->sin_addr.s_addr)), PrefixLength(i->ifa_netmask)});
    }
    freeifaddrs(list);
  }

  std::vector<std::string> InterfaceNames() const override {
    std::vector<std::string> names;
    for (const auto& [name, f] : interfaces_) names.push_back(name);
    return names;
  }
  std::optional<InterfaceFacts> Interface(const std::string& name) const override {
    auto it = interfaces_.find(name);
    if (it == interfaces_.end()) return std::nullopt;
    return it->second;
  }
  bool IsLocalIpv4(Ipv4Address address) const override {
    for (const auto& [name, f] : interfaces_) {
      for (const Ipv4Prefix& p : f.ipv4) {
        if (p.network == address) return true;
      }
    }
    return false;
  }
  PathKind Kind(const std::string& path) const override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return PathKind::kMissing;
    if (S_ISDIR(st.st_mode)) return PathKind::kDirectory;
    if (S_ISREG(st.st_mode)) return PathKind::kRegularFile;
    return PathKind::kOther;
  }
  bool Writable(const std::string& path) const override { return ::access(path.c_str(), W_OK) == 0; }
  Status TlsKeyPair(const std::string& cert_file, const std::string& key_file) const override {
    auto ctx = LoadTlsServerContext(cert_file, key_file);
    return ctx.ok() ? Status::Ok() : Status(ctx.error());
  }
  Status PemCertificates(const std::string& path) const override { return CheckPemCertificates(path); }
  std::optional<int64_t> NeighbourTableLimit() const override {
    std::ifstream in("/proc/sys/net/ipv4/neigh/default/gc_thresh3");
    int64_t limit = 0;
    if (!(in >> limit)) return std::nullopt;
    return limit;
  }

 private:
  std::map<std::string, InterfaceFacts> interfaces_;
};

}  // namespace

std::unique_ptr<HostFacts> SystemHostFacts() {
  return std::make_unique<SystemFacts>();
}

}  // namespace rackboot::bootd
