#include "bootd/tftp/block_source.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rackboot::bootd::tftp {

Result<size_t> MemoryBlockSource::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  if (offset >= content_.size()) return size_t{0};
  const size_t n = std::min<uint64_t>(out.size(), content_.size() - offset);
  std::memcpy(out.data(), content_.data() + offset, n);
  return n;
}

FileBlockSource::~FileBlockSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileBlockSource::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  if (offset >= size_) return size_t{0};
  if (out.size() > kReadAheadBytes) return Pread(offset, out);
  const bool hit = offset >= ahead_offset_ && offset + out.size() <= ahead_offset_ + ahead_.size();
  // A short read-ahead buffer that ends where the file ends also answers.
  const bool hit_at_end =
      offset >= ahead_offset_ && offset <= ahead_offset_ + ahead_.size() && ahead_offset_ + ahead_.size() == size_;
  if (!hit && !hit_at_end) {
    ahead_.resize(static_cast<size_t>(std::min<uint64_t>(kReadAheadBytes, size_ - offset)));
    Result<size_t> n = Pread(offset, ahead_);
    if (!n.ok()) {
      ahead_.clear();
      return n.error();
    }
    ahead_.resize(*n);  // the file shrank under us: the transfer ends short
    ahead_offset_ = offset;
  }
  const uint64_t skip = offset - ahead_offset_;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), ahead_.size() - skip));
  std::memcpy(out.data(), ahead_.data() + skip, n);
  return n;
}

Result<size_t> FileBlockSource::Pread(uint64_t offset, std::span<uint8_t> out) {
  ++preads_;
  size_t done = 0;
  while (done < out.size() && offset + done < size_) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{std::string("read failed: ") + std::strerror(errno)};
    if (n == 0) break;  // file shrank under us: the transfer ends short
    done += static_cast<size_t>(n);
  }
  return done;
}

std::string ToNetascii(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') {
      out += "\r\n";
    } else if (c == '\r') {
      out.push_back('\r');
      out.push_back('\0');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace rackboot::bootd::tftp
