#pragma once
// Decodes a Kubernetes watch response body (bytes in -> events out),
// independent of the HTTP transport. The API server sends one JSON object
// per line: {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}.
// Chunk boundaries from the transport fall anywhere, including inside a
// UTF-8 sequence, so bytes are buffered until a newline completes an event.

#include <cpprest/json.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rackboot::k8s {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  web::json::value object;  // the resource; for kError a metav1.Status
  // For kError: the Status code (410 Gone means "relist"), else 0.
  int ErrorCode() const;
};

std::string_view WatchEventTypeName(WatchEventType type);

class WatchDecoder {
 public:
  // One event line larger than this is refused (memory bound on hostile or
  // broken input); Machines are a few KiB.
  static constexpr size_t kMaxLineBytes = 8 * 1024 * 1024;

  // Appends every event completed by `bytes` to `out`. After an error the
  // stream is unusable (the caller closes the watch and relists); events
  // decoded before the bad line are still appended.
  Status Feed(std::string_view bytes, std::vector<WatchEvent>* out);

  // Bytes of an incomplete trailing event (debugging, tests).
  size_t buffered() const { return buffer_.size(); }

 private:
  Status DecodeLine(std::string_view line, std::vector<WatchEvent>* out);

  std::string buffer_;
  bool failed_ = false;
};

}  // namespace rackboot::k8s
