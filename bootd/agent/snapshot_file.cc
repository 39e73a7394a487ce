#include "bootd/agent/snapshot_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rackboot::bootd::agent {

namespace {

constexpr std::string_view kMagic = "RBSNAP1\n";
constexpr size_t kDigestLen = 32;
constexpr size_t kHeaderLen = 8 + 8 + kDigestLen;
constexpr uint64_t kMaxPayload = 512u << 20;

std::array<unsigned char, kDigestLen> Sha256(std::string_view data) {
  std::array<unsigned char, kDigestLen> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("write: ") + std::strerror(errno)};
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeSnapshot(const v1alpha1::PersistedSnapshot& snapshot) {
  std::string payload;
  snapshot.SerializeToString(&payload);
  std::string out(kMagic);
  uint64_t len = payload.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  auto digest = Sha256(payload);
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  out += payload;
  return out;
}

Result<v1alpha1::PersistedSnapshot> DecodeSnapshot(std::string_view bytes) {
  if (bytes.size() < kHeaderLen || bytes.substr(0, kMagic.size()) != kMagic) return Error{"not a snapshot file"};
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len |= uint64_t{static_cast<unsigned char>(bytes[8 + i])} << (8 * i);
  if (len > kMaxPayload || len != bytes.size() - kHeaderLen) return Error{"snapshot length mismatch (truncated?)"};
  std::string_view payload = bytes.substr(kHeaderLen);
  auto digest = Sha256(payload);
  if (std::memcmp(digest.data(), bytes.data() + 16, kDigestLen) != 0) return Error{"snapshot checksum mismatch"};
  v1alpha1::PersistedSnapshot s;
  if (!s.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return Error{"snapshot payload unreadable"};
  return s;
}

Status WriteSnapshotFile(const std::string& path, const v1alpha1::PersistedSnapshot& snapshot) {
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"open " + tmp + ": " + std::strerror(errno)};
  Status s = WriteAll(fd, EncodeSnapshot(snapshot));
  if (s.ok() && fsync(fd) != 0) s = Error{"fsync " + tmp + ": " + std::strerror(errno)};
  close(fd);
  if (s.ok() && rename(tmp.c_str(), path.c_str()) != 0) s = Error{"rename " + tmp + ": " + std::strerror(errno)};
  if (!s.ok()) {
    unlink(tmp.c_str());
    return s;
  }
  // Make the rename itself durable.
  std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  if (dir.empty()) dir = path.find('/') == 0 ? "/" : ".";
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

Result<v1alpha1::PersistedSnapshot> ReadSnapshotFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open " + path};
  std::ostringstream ss;
  ss << in.rdbuf();
  auto r = DecodeSnapshot(ss.str());
  if (!r.ok()) return Error{path + ": " + r.error().message};
  return r;
}

}  // namespace rackboot::bootd::agent
