#pragma once
// BlockSource: where a read transfer's bytes come from. The transfer state
// machine reads through it, so it can be driven by an in-memory string in
// unit tests and by a file descriptor (pread) or rendered text in the server.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

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
// can share nothing but the page cache. Reads ahead: one pread fills
// kReadAheadBytes and the following blocks are copied from it, so a window
// of 64 x 1468-byte blocks costs two preads instead of 64 (the transfer
// state machine asks for one block at a time, in order, going back only on
// a retransmission).
class FileBlockSource : public BlockSource {
 public:
  static constexpr size_t kReadAheadBytes = 64 << 10;
  FileBlockSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileBlockSource() override;
  FileBlockSource(const FileBlockSource&) = delete;
  FileBlockSource& operator=(const FileBlockSource&) = delete;
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;
  uint64_t preads() const { return preads_; }

 private:
  Result<size_t> Pread(uint64_t offset, std::span<uint8_t> out);

  int fd_;
  uint64_t size_;
  std::vector<uint8_t> ahead_;  // bytes [ahead_offset_, ahead_offset_ + ahead_.size())
  uint64_t ahead_offset_ = 0;
  uint64_t preads_ = 0;
};

// RFC 1350 / RFC 764 netascii: LF -> CR LF, CR -> CR NUL.
std::string ToNetascii(std::string_view text);

}  // namespace rackboot::bootd::tftp
