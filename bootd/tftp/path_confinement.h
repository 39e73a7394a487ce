#pragma once
// Confining a requested file name to the TFTP root.
//
// Decisions (see also docs of the TFTP service):
//  - A leading '/' is not an escape: pxelinux and GRUB ask for
//    "/pxelinux.cfg/..." and "/grub.cfg-..." meaning "from the root", so
//    absolute names are mapped inside the root (like tftpd-hpa -s).
//  - '\' is a separator (Windows-style PXE clients send "boot\x86\..."); it is
//    turned into '/' *before* the checks, so "..\" is caught like "../".
//  - Any ".." component is refused outright (no resolving "a/../b"): there is
//    no legitimate use and refusing is simpler to reason about.
//  - Control bytes (including NUL), empty names and names longer than
//    kMaxRequestPathLength are refused. No URL decoding: "%2e%2e" is a
//    literal (and harmless) file name.
//  - Symlinks: OpenConfined resolves with openat2(RESOLVE_BENEATH), so a
//    symlink that stays inside the root works and one that leaves it
//    (absolute, or via "..") fails; on kernels without openat2 it walks the
//    path with O_NOFOLLOW and refuses every symlink.
//  - Only regular files are served (no directories, FIFOs, devices).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rackboot::bootd::tftp {

inline constexpr size_t kMaxRequestPathLength = 1024;

// Why a name was refused; the server maps it to a TFTP error code.
enum class PathRefusal { kInvalidName, kNotFound, kAccessDenied, kNotRegularFile };

// Returns the normalized relative path ("pxelinux.cfg/default") or an error.
Result<std::string> NormalizeRequestPath(std::string_view filename);

struct ConfinedFile {
  int fd = -1;  // O_RDONLY, caller closes
  uint64_t size = 0;
};

struct OpenFailure {
  PathRefusal reason;
  int err = 0;  // errno
};

// Opens `relative` (already normalized) beneath the directory `root_fd`.
// Returns fd+size, or sets *failure.
bool OpenConfined(int root_fd, const std::string& relative, ConfinedFile* out, OpenFailure* failure);

}  // namespace rackboot::bootd::tftp
