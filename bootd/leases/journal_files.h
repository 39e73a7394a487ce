#pragma once
// The thin POSIX layer under the lease journal. Every durability step is an
// explicit call so the journal's crash reasoning can be read in one place:
// a file's data is durable after DataSync(), a rename or unlink after
// FsyncParentDir() (rename(2) is atomic, but not durable until the
// directory is synced).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rackboot::bootd {

// nullopt when the file does not exist.
Result<std::optional<std::string>> ReadFileIfExists(const std::string& path);
bool FileExists(const std::string& path);
// ENOENT is not an error.
Status RemoveFile(const std::string& path);
Status RenameFile(const std::string& from, const std::string& to);
Status FsyncParentDir(const std::string& path);
// Writes `path`.tmp, fsyncs it, renames it over `path`, fsyncs the directory:
// after a crash `path` holds either the old or the new content, never a mix.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

// An O_APPEND file descriptor that tracks its size.
class AppendOnlyFile {
 public:
  // Opens an existing file, or creates it when `create` (failing if it exists).
  static Result<std::unique_ptr<AppendOnlyFile>> Open(const std::string& path, bool create);
  ~AppendOnlyFile();
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

  // One write(2) (looping only on short writes). On failure the file is cut
  // back to its previous size so no partial record stays in the middle.
  Status Append(std::string_view bytes);
  Status Truncate(size_t size);
  Status DataSync();
  size_t size() const { return size_; }

 private:
  AppendOnlyFile(int fd, size_t size) : fd_(fd), size_(size) {}
  int fd_;
  size_t size_;
};

}  // namespace rackboot::bootd
