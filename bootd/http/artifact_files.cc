#include "bootd/http/artifact_files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bootd/http/request_path.h"

namespace rackboot::bootd::http {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::shared_ptr<ArtifactRoot>> ArtifactRoot::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open artifact root " + path + ": " + std::strerror(errno)};
  return std::shared_ptr<ArtifactRoot>(new ArtifactRoot(path, UniqueFd(fd)));
}

Result<OpenedFile> ArtifactRoot::OpenFile(const std::vector<std::string>& segments) const {
  if (segments.empty()) return Error{"not found"};
  const std::string rel = JoinSegments(segments);
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(::syscall(SYS_openat2, dir_.get(), rel.c_str(), &how, sizeof how));
  if (fd < 0 && errno == ENOSYS) {
    // Kernels before 5.6: resolve, then require the result below the root.
    char root_real[PATH_MAX], file_real[PATH_MAX];
    const std::string full = path_ + "/" + rel;
    if (::realpath(path_.c_str(), root_real) == nullptr || ::realpath(full.c_str(), file_real) == nullptr) {
      return Error{"not found"};
    }
    const std::string root_prefix = std::string(root_real) + "/";
    if (std::string(file_real).rfind(root_prefix, 0) != 0) return Error{"outside the root"};
    fd = ::open(file_real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  }
  if (fd < 0) return Error{errno == EXDEV ? "outside the root" : "not found"};
  OpenedFile f;
  f.fd = UniqueFd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Error{"not a regular file"};
  // Regular files never block; clear O_NONBLOCK (it only kept a FIFO from
  // hanging the open).
  ::fcntl(fd, F_SETFL, 0);
  f.size = static_cast<uint64_t>(st.st_size);
  f.mtime_seconds = st.st_mtim.tv_sec;
  char etag[96];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(st.st_ino),
                static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ull +
                    static_cast<unsigned long long>(st.st_mtim.tv_nsec));
  f.etag = etag;
  return f;
}

}  // namespace rackboot::bootd::http
