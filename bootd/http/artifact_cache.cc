#include "bootd/http/artifact_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "common/log.h"

namespace rackboot::bootd::http {
namespace {

constexpr const char* kPartialSuffix = ".part";

std::string Hex(const unsigned char* d, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[d[i] >> 4]);
    out.push_back(kDigits[d[i] & 15]);
  }
  return out;
}

// Only the scheme and host reach the log: query strings may carry tokens.
std::string UrlForLog(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "(invalid)";
  const size_t end = url.find_first_of("/?#", scheme + 3);
  return url.substr(0, end == std::string::npos ? url.size() : end) + "/...";
}

Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error{std::string("cache write: ") + std::strerror(errno)};
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Result<std::shared_ptr<ArtifactCache>> ArtifactCache::Open(const std::string& dir,
                                                           std::shared_ptr<UpstreamFetcher> fetcher) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"cannot create artifact cache " + dir + ": " + ec.message()};
  auto root = ArtifactRoot::Open(dir);
  if (!root.ok()) return root.error();
  // A crash mid-download leaves <sha>.part; it was never verified. Files
  // named by a digest were verified before their rename: they are the
  // cache's size (rackboot_artifact_cache_bytes).
  uint64_t bytes_on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > std::strlen(kPartialSuffix) &&
        name.compare(name.size() - std::strlen(kPartialSuffix), std::string::npos, kPartialSuffix) == 0) {
      std::filesystem::remove(entry.path(), ec);
    } else if (IsSha256Hex(name) && entry.is_regular_file(ec)) {
      const auto size = entry.file_size(ec);
      if (!ec) bytes_on_disk += size;
    }
  }
  return std::shared_ptr<ArtifactCache>(new ArtifactCache(dir, *root, std::move(fetcher), bytes_on_disk));
}

Result<OpenedFile> ArtifactCache::Get(const std::string& url, const std::string& sha256) {
  if (!IsSha256Hex(sha256)) return Error{"artifact sha256 is not 64 lowercase hex digits"};
  auto cached = root_->OpenFile({sha256});
  if (cached.ok()) {
    ++hits_;
    return cached;
  }
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = flights_.find(sha256);
    if (it == flights_.end()) {
      flight = std::make_shared<Flight>();
      flights_[sha256] = flight;
      leader = true;
    } else {
      flight = it->second;
    }
  }
  if (leader) {
    // Another leader may have finished between the open above and taking
    // the flight: look again before downloading.
    Status s = root_->OpenFile({sha256}).ok() ? Status::Ok() : Download(url, sha256);
    {
      std::lock_guard<std::mutex> lock(mu_);
      flight->status = s;
      flight->done = true;
      flights_.erase(sha256);
    }
    done_cv_.notify_all();
  } else {
    ++waits_;
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return flight->done; });
  }
  if (!flight->status.ok()) return Error{flight->status.message()};
  return root_->OpenFile({sha256});
}

Status ArtifactCache::Download(const std::string& url, const std::string& sha256) {
  ++fetches_;
  const std::string part = sha256 + kPartialSuffix;
  const std::string part_path = dir_ + "/" + part;
  const std::string final_path = dir_ + "/" + sha256;
  int fd = ::open(part_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    ++fetch_errors_;
    return Error{"cannot create " + part_path + ": " + std::strerror(errno)};
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  uint64_t bytes = 0;
  Status s = fetcher_->Fetch(url, [&](const char* data, size_t size) {
    EVP_DigestUpdate(md.get(), data, size);
    bytes += size;
    return WriteAll(fd, data, size);
  });
  if (s.ok() && ::fsync(fd) != 0) s = Error{std::string("cache fsync: ") + std::strerror(errno)};
  ::close(fd);
  if (!s.ok()) {
    ++fetch_errors_;
    ::unlink(part_path.c_str());
    log::Warn("http", "upstream artifact fetch failed",
              {{"stage", "artifact-cache"}, {"url", UrlForLog(url)}, {"sha256", sha256}, {"error", s.message()}});
    return s;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_DigestFinal_ex(md.get(), digest, &digest_len);
  const std::string got = Hex(digest, digest_len);
  if (got != sha256) {
    ++mismatches_;
    ::unlink(part_path.c_str());
    log::Error("http", "upstream artifact sha256 mismatch, discarded",
               {{"stage", "artifact-cache"},
                {"url", UrlForLog(url)},
                {"sha256", sha256},
                {"got", got},
                {"bytes", std::to_string(bytes)}});
    return Error{"sha256 mismatch: expected " + sha256 + ", upstream sent " + got};
  }
  if (::rename(part_path.c_str(), final_path.c_str()) != 0) {
    ++fetch_errors_;
    ::unlink(part_path.c_str());
    return Error{"cannot publish " + final_path + ": " + std::strerror(errno)};
  }
  bytes_ += bytes;
  log::Info(
      "http", "upstream artifact cached",
      {{"stage", "artifact-cache"}, {"url", UrlForLog(url)}, {"sha256", sha256}, {"bytes", std::to_string(bytes)}});
  return Status::Ok();
}

ArtifactCacheStats ArtifactCache::stats() const {
  ArtifactCacheStats s;
  s.hits = hits_.load();
  s.fetches = fetches_.load();
  s.waits = waits_.load();
  s.sha256_mismatches = mismatches_.load();
  s.fetch_errors = fetch_errors_.load();
  s.bytes = bytes_.load();
  return s;
}

}  // namespace rackboot::bootd::http
