#pragma once
// bootd prepare-state-dir: hands bootd's state directory to the user bootd
// runs as. On Kubernetes the directory is a hostPath the kubelet creates
// root:root 0755, and an earlier bootd running as root may have left
// root-owned files in it (lease journal, assignment snapshot, admin socket);
// a bootd running as uid 65532 could then neither write its journal nor
// replace those files. The Helm chart runs this once per pod start in an
// init container as uid 0 with only CAP_CHOWN (and NET_BIND_SERVICE, which
// the file capability of /usr/bin/bootd requires at execve). It is bootd's
// own subcommand because the images have no shell and no chown.

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rackboot::bootd::state_dir {

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
};

// "UID" or "UID:GID", numeric (the images have no user database to speak
// of); GID defaults to UID. Errors name the text.
Result<Owner> ParseOwner(std::string_view text);

struct PrepareReport {
  size_t entries = 0;  // the directory and everything below it
  size_t changed = 0;  // entries whose owner or group was changed
};

// lchown()s DIR and everything below it to OWNER where the owner or group
// differs: symbolic links themselves, never their targets, and nothing on
// another file system. Fails, naming the path and the system error, when
// DIR is missing, is not a directory (a symlink to one included) or an
// entry cannot be read or changed.
Result<PrepareReport> PrepareStateDir(const std::string& dir, Owner owner);

// The subcommand: argv[0] is "prepare-state-dir". Returns the exit code.
int RunPrepareStateDirCommand(int argc, char** argv);

}  // namespace rackboot::bootd::state_dir
