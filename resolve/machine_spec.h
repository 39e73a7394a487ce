#pragma once
// MachineSpec: the typed form of a Machine's spec (crds/machine.yaml) that
// the resolver reads. The controller fills it from the API object's JSON
// (controller/model/machine.cc), standalone bootd from YAML
// (bootd/standalone/manifest.cc); both then call
// resolve/host_assignment_resolver.h, so the two doors cannot drift apart.
// Values are kept as the user wrote them; the resolver normalises.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "resolve/secret_data.h"

namespace rackboot::resolve {

struct MachineInterface {
  std::string mac;   // as written; the resolver emits the canonical form
  std::string ipv4;  // optional static address
  bool primary = false;
  std::string name;  // informational (eth0); not sent to bootd
};

struct MachineSpec {
  std::string rack;
  std::vector<MachineInterface> interfaces;
  std::string uuid;
  std::string hostname;  // empty: the Machine's name
  std::string architecture;
  std::string firmware;      // bios | uefi | auto; empty = auto (the CRD default)
  std::string boot_profile;  // bootProfileRef.name
  bool allow_pxe = true;     // netboot.allowPXE
  bool boot_once = false;    // netboot.bootOnce
  std::map<std::string, std::string> parameters;
  // spec.secretParameters: parameter name -> a key of a Secret. Rendered only
  // into install configs (served with the machine's token), never into the
  // unauthenticated boot scripts.
  std::map<std::string, SecretKeyRef> secret_parameters;
  std::map<std::string, std::string> boot_file_overrides;

  // The interface that gets the address: the one marked primary, else the first.
  const MachineInterface* Primary() const;
};

// The parts of a Machine's metadata that reach bootd.
struct MachineIdentity {
  std::string name;
  std::string namespace_;   // may be empty (standalone)
  int64_t generation = 0;   // metadata.generation; 0 when unknown
  std::string reprovision;  // annotation rackboot.io/reprovision ("" when absent; resolve/netboot_decision.h)

  // "namespace/name", or "name" without a namespace.
  std::string Key() const { return namespace_.empty() ? name : namespace_ + "/" + name; }
};

}  // namespace rackboot::resolve
