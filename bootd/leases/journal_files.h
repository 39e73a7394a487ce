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

// A log file written only at its end. The end of the data (size()) can lie
// before the end of the file: with preallocation the file is extended with
// zeros ahead of the data and made durable once, so the fdatasync after each
// record only flushes data, not a new file size (on ext4 that skips a
// journal commit per record). Readers treat trailing zeros as free space.
class AppendOnlyFile {
 public:
  // Opens an existing file, or creates it when `create` (failing if it
  // exists). Data is taken to end at the file's end until ResumeAt().
  static Result<std::unique_ptr<AppendOnlyFile>> Open(const std::string& path, bool create,
                                                      size_t preallocate_bytes = 0);
  ~AppendOnlyFile();
  AppendOnlyFile(const AppendOnlyFile&) = delete;
  AppendOnlyFile& operator=(const AppendOnlyFile&) = delete;

  // Writes at the end of the data with one pwrite(2) (looping only on short
  // writes), extending the zeroed area first when needed. A failure may
  // leave part of `bytes` on disk; the caller must stop using the file.
  Status Append(std::string_view bytes);
  // The data ends at `size`; everything after it must already be zeros.
  void ResumeAt(size_t size) { size_ = size; }
  Status Truncate(size_t size);
  Status DataSync();
  size_t size() const { return size_; }

 private:
  AppendOnlyFile(int fd, size_t size, size_t preallocate)
      : fd_(fd), size_(size), allocated_(size), prealloc_(preallocate) {}
  Status Extend(size_t needed);
  int fd_;
  size_t size_;       // end of the data
  size_t allocated_;  // end of the file
  size_t prealloc_;   // extension step; 0 = grow with each write
};

}  // namespace rackboot::bootd
