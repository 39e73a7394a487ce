#pragma once
// The last good assignment state on disk, so bootd serves after its own
// restart while the controller is unreachable. Layout:
//   "RBSNAP1\n" | payload length (u64 little endian) | SHA-256(payload) | payload
// payload = serialized PersistedSnapshot. Written to a temporary file,
// fsync'ed, renamed over the old one, then the directory fsync'ed: a crash
// leaves either the old or the new file, and a torn or altered file fails the
// checksum instead of loading garbage.

#include <string>
#include <string_view>

#include "common/result.h"
#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::bootd::agent {

std::string EncodeSnapshot(const v1alpha1::PersistedSnapshot& snapshot);
Result<v1alpha1::PersistedSnapshot> DecodeSnapshot(std::string_view bytes);

Status WriteSnapshotFile(const std::string& path, const v1alpha1::PersistedSnapshot& snapshot);
Result<v1alpha1::PersistedSnapshot> ReadSnapshotFile(const std::string& path);

}  // namespace rackboot::bootd::agent
