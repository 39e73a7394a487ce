#include "bootd/tftp/path_confinement.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace rackboot::bootd::tftp {

Result<std::string> NormalizeRequestPath(std::string_view filename) {
  if (filename.empty()) return Error{"empty file name"};
  if (filename.size() > kMaxRequestPathLength) return Error{"file name too long"};
  std::vector<std::string> parts;
  std::string current;
  auto flush = [&]() -> bool {
    if (current == "..") return false;
    if (!current.empty() && current != ".") parts.push_back(current);
    current.clear();
    return true;
  };
  for (char c : filename) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return Error{"control character in file name"};
    if (c == '/' || c == '\\') {
      if (!flush()) return Error{"'..' in file name"};
    } else {
      current.push_back(c);
    }
  }
  if (!flush()) return Error{"'..' in file name"};
  if (parts.empty()) return Error{"file name names the root"};
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out.push_back('/');
    out += p;
  }
  return out;
}

namespace {

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;  // O_NONBLOCK: a FIFO must not block us

PathRefusal RefusalFor(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR: return PathRefusal::kNotFound;
    default:  // EXDEV (escape), ELOOP (symlink), EACCES, ...
      return PathRefusal::kAccessDenied;
  }
}

int OpenWithOpenat2(int root_fd, const std::string& relative) {
  struct open_how how = {};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof how));
}

// Fallback: component by component, refusing every symlink.
int OpenNoSymlinks(int root_fd, const std::string& relative) {
  int dir = ::dup(root_fd);
  if (dir < 0) return -1;
  size_t start = 0;
  while (true) {
    const size_t slash = relative.find('/', start);
    const std::string part = relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    const bool last = slash == std::string::npos;
    const int fd = ::openat(dir, part.c_str(), last ? kOpenFlags | O_NOFOLLOW : O_PATH | O_DIRECTORY | O_NOFOLLOW);
    const int saved = errno;
    ::close(dir);
    if (fd < 0) {
      errno = saved;
      return -1;
    }
    if (last) return fd;
    dir = fd;
    start = slash + 1;
  }
}

}  // namespace

bool OpenConfined(int root_fd, const std::string& relative, ConfinedFile* out, OpenFailure* failure) {
  int fd = OpenWithOpenat2(root_fd, relative);
  if (fd < 0 && errno == ENOSYS) fd = OpenNoSymlinks(root_fd, relative);
  if (fd < 0) {
    *failure = {RefusalFor(errno), errno};
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    *failure = {PathRefusal::kNotRegularFile, 0};
    return false;
  }
  out->fd = fd;
  out->size = static_cast<uint64_t>(st.st_size);
  return true;
}

}  // namespace rackboot::bootd::tftp
