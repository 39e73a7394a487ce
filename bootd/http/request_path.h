#pragma once
// Request path normalization: an encoded URL path becomes a list of decoded
// segments that can only name something below a root. Pure; the file layer
// (artifact_files.h) adds the kernel's own check (openat2 RESOLVE_BENEATH)
// against symlinks.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rackboot::bootd::http {

inline constexpr size_t kMaxPathSegments = 32;
inline constexpr size_t kMaxPathBytes = 4096;

// "/a//b/%63.img" -> {"a", "b", "c.img"}. Errors for: no leading '/', bad
// or NUL escapes, an encoded '/' or any '\', control bytes, and any segment
// that is only dots ("." "..", "..."), before or after decoding.
Result<std::vector<std::string>> NormalizeRequestPath(std::string_view encoded_path);

// Joins segments with '/' (no leading slash).
std::string JoinSegments(const std::vector<std::string>& segments, size_t from = 0);

}  // namespace rackboot::bootd::http
