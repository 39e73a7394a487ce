#include "bootd/leases/journal_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rackboot::bootd {
namespace {

Error Errno(std::string_view what, const std::string& path) {
  return Error{std::string(what) + " " + path + ": " + std::strerror(errno)};
}

std::string ParentDir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("write: ") + std::strerror(errno)};
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Result<std::optional<std::string>> ReadFileIfExists(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Errno("open", path);
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = Errno("read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink", path);
  return {};
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("rename to " + to + " from", from);
  return {};
}

Status FsyncParentDir(const std::string& path) {
  const std::string dir = ParentDir(path);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open dir", dir);
  const int rc = ::fsync(fd);
  Status st = rc == 0 ? Status{} : Status(Errno("fsync dir", dir));
  ::close(fd);
  return st;
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Errno("create", tmp);
  Status st = WriteAll(fd, bytes);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync", tmp);
  ::close(fd);
  if (!st.ok()) {
    (void)RemoveFile(tmp);
    return st;
  }
  if (st = RenameFile(tmp, path); !st.ok()) return st;
  return FsyncParentDir(path);
}

Result<std::unique_ptr<AppendOnlyFile>> AppendOnlyFile::Open(const std::string& path, bool create,
                                                             size_t preallocate_bytes) {
  int flags = O_WRONLY | O_CLOEXEC;
  if (create) flags |= O_CREAT | O_EXCL;
  const int fd = ::open(path.c_str(), flags, 0640);
  if (fd < 0) return Errno("open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = Errno("fstat", path);
    ::close(fd);
    return e;
  }
  return std::unique_ptr<AppendOnlyFile>(new AppendOnlyFile(fd, static_cast<size_t>(st.st_size), preallocate_bytes));
}

AppendOnlyFile::~AppendOnlyFile() {
  ::close(fd_);
}

static Status PwriteAll(int fd, std::string_view bytes, size_t offset) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("pwrite: ") + std::strerror(errno)};
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<size_t>(n);
  }
  return {};
}

// Writes real zeros (not fallocate: unwritten extents would still need a
// metadata update on first write) and syncs them with the new file size.
Status AppendOnlyFile::Extend(size_t needed) {
  const size_t target = (needed + prealloc_ - 1) / prealloc_ * prealloc_;  // whole steps
  const std::string zeros(64 * 1024, '\0');
  for (size_t at = allocated_; at < target;) {
    const size_t n = std::min(zeros.size(), target - at);
    if (Status st = PwriteAll(fd_, std::string_view(zeros.data(), n), at); !st.ok()) return st;
    at += n;
  }
  if (::fdatasync(fd_) != 0) return Error{std::string("fdatasync: ") + std::strerror(errno)};
  allocated_ = target;
  return {};
}

Status AppendOnlyFile::Append(std::string_view bytes) {
  if (prealloc_ > 0 && size_ + bytes.size() > allocated_) {
    if (Status st = Extend(size_ + bytes.size()); !st.ok()) return st;
  }
  if (Status st = PwriteAll(fd_, bytes, size_); !st.ok()) return st;
  size_ += bytes.size();
  allocated_ = std::max(allocated_, size_);
  return {};
}

Status AppendOnlyFile::Truncate(size_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Error{std::string("ftruncate: ") + std::strerror(errno)};
  size_ = allocated_ = size;
  return {};
}

Status AppendOnlyFile::DataSync() {
  if (::fdatasync(fd_) != 0) return Error{std::string("fdatasync: ") + std::strerror(errno)};
  return {};
}

}  // namespace rackboot::bootd
