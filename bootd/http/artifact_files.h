#pragma once
// Opening files below an artifact root. The kernel does the containment:
// openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) refuses ".." and
// symlinks that leave the root, absolute symlinks included, and a sibling
// directory with the same prefix (/srv/a vs /srv/a-private) can never be
// reached because resolution starts at the root's own descriptor.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace rackboot::bootd::http {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct OpenedFile {
  UniqueFd fd;
  uint64_t size = 0;
  int64_t mtime_seconds = 0;
  std::string etag;  // strong validator from inode, size and mtime (ns)
};

class ArtifactRoot {
 public:
  // Opens the root directory; an Error if it is not a readable directory.
  static Result<std::shared_ptr<ArtifactRoot>> Open(const std::string& path);
  // `segments` come from NormalizeRequestPath. Only regular files open.
  Result<OpenedFile> OpenFile(const std::vector<std::string>& segments) const;
  const std::string& path() const { return path_; }

 private:
  ArtifactRoot(std::string path, UniqueFd fd) : path_(std::move(path)), dir_(std::move(fd)) {}
  std::string path_;
  UniqueFd dir_;
};

}  // namespace rackboot::bootd::http
