#pragma once
// BlockSource: where a read transfer's bytes come from. The transfer state
// machine reads through it, so it can be driven by an in-memory string in
// unit tests and by a file descriptor (pread) or rendered text in the server.

#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"

namespace rackboot::bootd::tftp {

class BlockSource {
 public:
  virtual ~BlockSource() = default;
  virtual uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset`; fewer only at end of data.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

// Rendered files and netascii-converted content.
class MemoryBlockSource : public BlockSource {
 public:
  explicit MemoryBlockSource(std::string content) : content_(std::move(content)) {}
  uint64_t size() const override { return content_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;

 private:
  std::string content_;
};

// Owns an open regular-file descriptor; reads with pread so many transfers
// can share nothing but the page cache.
class FileBlockSource : public BlockSource {
 public:
  FileBlockSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileBlockSource() override;
  FileBlockSource(const FileBlockSource&) = delete;
  FileBlockSource& operator=(const FileBlockSource&) = delete;
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;

 private:
  int fd_;
  uint64_t size_;
};

// RFC 1350 / RFC 764 netascii: LF -> CR LF, CR -> CR NUL.
std::string ToNetascii(std::string_view text);

}  // namespace rackboot::bootd::tftp
