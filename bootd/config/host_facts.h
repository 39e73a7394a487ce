#pragma once
// HostFacts: what bootd's start-up checks (bootd/config/host_checks.h) need
// to know about the host it runs on -- its interfaces and addresses, files
// and TLS material. An interface, so the checks stay pure and unit-testable;
// SystemHostFacts() asks the kernel and the file system (in bootd's own
// network namespace: a pod's, a lab's).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/net_address.h"
#include "common/result.h"

namespace rackboot::bootd {

struct InterfaceFacts {
  std::string name;
  std::vector<Ipv4Prefix> ipv4;  // each address with its prefix length (network = the address itself)
};

enum class PathKind { kMissing, kDirectory, kRegularFile, kOther };

class HostFacts {
 public:
  virtual ~HostFacts() = default;
  virtual std::vector<std::string> InterfaceNames() const = 0;
  virtual std::optional<InterfaceFacts> Interface(const std::string& name) const = 0;
  // Assigned to some interface here (a listener can bind it).
  virtual bool IsLocalIpv4(Ipv4Address address) const = 0;
  virtual PathKind Kind(const std::string& path) const = 0;
  virtual bool Writable(const std::string& path) const = 0;
  virtual Status TlsKeyPair(const std::string& cert_file, const std::string& key_file) const = 0;
  virtual Status PemCertificates(const std::string& path) const = 0;
  // The kernel's hard limit of neighbour (ARP) entries
  // (net.ipv4.neigh.default.gc_thresh3), one table for every network
  // namespace of the host; nullopt where it cannot be read (it is visible
  // only in the host's own namespace, e.g. not in a lab's).
  virtual std::optional<int64_t> NeighbourTableLimit() const = 0;
};

std::unique_ptr<HostFacts> SystemHostFacts();

}  // namespace rackboot::bootd
