#pragma once
// RenderedBootConfigFiles: serves per-machine pxelinux and GRUB configs over
// TFTP (pxelinux.cfg/01-<mac>, pxelinux.cfg/<uuid>, pxelinux.cfg/<hex ip>,
// grub.cfg-01-<mac>, ...) by rendering them from the machine's Assignment.
// It joins the TFTP server (which knows the names loaders ask for) and the
// renderer (which knows how to write the files), so neither depends on the
// other.
//
// Which machine a name means:
//   01-<mac>  -> the machine with that MAC
//   <uuid>    -> the machine with that SMBIOS UUID
//   <hex ip>, default -> the machine whose assigned address is the requesting
//                client's address (the loader asks from its leased address)
// A name that maps to no machine (or one with allowPXE false) is not virtual:
// the TFTP root's own file, if any, is served instead.

#include <map>
#include <memory>
#include <string>

#include "bootd/assignments/assignment_store.h"
#include "bootd/events/boot_event_recorder.h"
#include "bootd/tftp/virtual_file_provider.h"

namespace rackboot::bootd {

class RenderedBootConfigFiles : public tftp::VirtualFileProvider {
 public:
  struct Options {
    std::string public_url;  // http base the configs point kernels at
    std::string rack;
    std::map<std::string, std::string> environment;
  };
  RenderedBootConfigFiles(Options options, const AssignmentStore& assignments, BootEventRecorder* events);

  std::optional<std::string> Render(const std::string& path, Ipv4Address client_ip) override;

 private:
  AssignmentStore::Ptr FindByClientIp(Ipv4Address ip) const;

  Options options_;
  const AssignmentStore& assignments_;
  BootEventRecorder* events_;
};

}  // namespace rackboot::bootd
