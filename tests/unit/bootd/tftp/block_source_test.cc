#include "bootd/tftp/block_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace rackboot::bootd::tftp {
namespace {

// A real file (pread is the boundary under test), unlinked at once.
class FileBlockSourceTest : public ::testing::Test {
 protected:
  FileBlockSource Open(size_t size) {
    char path[] = "/tmp/rbt-blocksource-XXXXXX";
    const int fd = ::mkstemp(path);
    EXPECT_GE(fd, 0);
    ::unlink(path);
    content_.resize(size);
    for (size_t i = 0; i < size; ++i) content_[i] = static_cast<char>((i * 2654435761u) >> 13);
    EXPECT_EQ(::write(fd, content_.data(), size), static_cast<ssize_t>(size));
    return FileBlockSource(fd, size);
  }
  // Reads block after block like a transfer does; checks every byte.
  void ReadBlocks(FileBlockSource& src, size_t blksize, uint64_t first_offset = 0) {
    std::vector<uint8_t> buf(blksize);
    for (uint64_t off = first_offset; off <= content_.size(); off += blksize) {
      Result<size_t> n = src.ReadAt(off, buf);
      ASSERT_TRUE(n.ok());
      ASSERT_EQ(*n, std::min<uint64_t>(blksize, content_.size() - off)) << "offset " << off;
      ASSERT_EQ(std::string(buf.begin(), buf.begin() + *n), content_.substr(off, *n)) << "offset " << off;
    }
  }
  std::string content_;
};

TEST_F(FileBlockSourceTest, SequentialBlocksAreReadAheadInFewPreads) {
  FileBlockSource src = Open((1 << 20) + 100);  // not a multiple of the block size
  ReadBlocks(src, 1468);
  // 1 MiB in 64 KiB read-aheads: 17 preads (one per 64 KiB), not 715.
  EXPECT_LE(src.preads(), 18u);
  EXPECT_GE(src.preads(), 17u);
}

TEST_F(FileBlockSourceTest, GoingBackForARetransmissionRereads) {
  FileBlockSource src = Open(300000);
  ReadBlocks(src, 512);
  ReadBlocks(src, 512, 512 * 100);  // a window resent from an earlier block
  ReadBlocks(src, 512, 299000);
}

TEST_F(FileBlockSourceTest, BlocksLargerThanTheReadAheadAreReadDirectly) {
  FileBlockSource src = Open(200000);
  ReadBlocks(src, 65464);
  EXPECT_EQ(src.preads(), 4u);  // 200000 / 65464 -> 4 blocks, each one pread
}

TEST_F(FileBlockSourceTest, EmptyAndPastTheEnd) {
  FileBlockSource empty = Open(0);
  std::vector<uint8_t> buf(512);
  EXPECT_EQ(*empty.ReadAt(0, buf), 0u);
  FileBlockSource src = Open(1024);
  EXPECT_EQ(*src.ReadAt(1024, buf), 0u);
  EXPECT_EQ(*src.ReadAt(5000, buf), 0u);
  EXPECT_EQ(*src.ReadAt(1000, buf), 24u);
}

TEST_F(FileBlockSourceTest, AFileThatShrankEndsShort) {
  char path[] = "/tmp/rbt-blocksource-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  const std::string data(5000, 'x');
  ASSERT_EQ(::write(fd, data.data(), data.size()), 5000);
  FileBlockSource src(fd, 10000);  // size taken at open; the file is shorter now
  std::vector<uint8_t> buf(4096);
  EXPECT_EQ(*src.ReadAt(0, buf), 4096u);
  EXPECT_EQ(*src.ReadAt(4096, buf), 904u);
  EXPECT_EQ(*src.ReadAt(8192, buf), 0u);
}

}  // namespace
}  // namespace rackboot::bootd::tftp
