#pragma once
// ProvisionedRecords: bootd's own record of which machines reported booted
// under which re-provision request. Standalone, it is what status.provisioned
// is in controller mode: the resolver reads it (resolve/netboot_decision.h),
// so a bootOnce machine that booted gets no boot file, also after bootd
// restarts. In controller mode it covers the time until the controller has
// the booted event (bootd/agent/boot_once_guard.h).
//
// One YAML file under bootd's stateDir (provisioned-machines.yaml), written
// atomically (temp file, fsync, rename, fsync of the directory) before the
// booted callback is answered:
//   machines:
//     lab/node1: {reprovision: "", generation: 0, unixMillis: 1765130000000}
// A record outlives its manifest: deleting a Machine file does not make the
// machine reinstall when the file comes back (a reinstall wipes disks); the
// re-provision action is the annotation rackboot.io/reprovision
// (docs/standalone.md).

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "resolve/netboot_decision.h"

namespace rackboot::bootd {

class ProvisionedRecords {
 public:
  using Map = std::map<std::string, resolve::ProvisionRecord>;  // machine name -> record

  // Reads `path` (a missing file is empty). Throws ConfigError naming file,
  // line and field for a malformed file: bootd must not start and forget
  // which machines are installed.
  explicit ProvisionedRecords(std::string path);

  Map Snapshot() const;
  // Records a booted callback of `machine`; writes the file when the record
  // changed. Returns whether it changed.
  Result<bool> Record(const std::string& machine, const resolve::ProvisionRecord& record);
  // Drops the records of `machines` (controller mode: Machines deleted in
  // the cluster); writes the file when one was there. Returns whether any was.
  Result<bool> Forget(const std::vector<std::string>& machines);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  mutable std::mutex mu_;
  Map records_;
};

}  // namespace rackboot::bootd
