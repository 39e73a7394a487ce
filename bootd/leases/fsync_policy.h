#pragma once
// When the lease journal makes a commit durable before Commit() returns.
// Header-only so bootd's config can name it without linking the journal.

#include <optional>
#include <string_view>

namespace rackboot::bootd {

enum class FsyncPolicy {
  kAlways,  // every Commit() (and every Flush() of deferred commits) runs its own fdatasync
  kGroup,   // concurrent commits and flushes share one fdatasync (leader/follower group commit)
  kNever,   // no fsync: survives kill -9 (page cache) but not power loss; tmpfs, benchmarks
};

inline std::optional<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  if (text == "always") return FsyncPolicy::kAlways;
  if (text == "group") return FsyncPolicy::kGroup;
  if (text == "never") return FsyncPolicy::kNever;
  return std::nullopt;
}

inline std::string_view FsyncPolicyName(FsyncPolicy p) {
  switch (p) {
    case FsyncPolicy::kAlways: return "always";
    case FsyncPolicy::kGroup: return "group";
    case FsyncPolicy::kNever: return "never";
  }
  return "unknown";
}

}  // namespace rackboot::bootd
