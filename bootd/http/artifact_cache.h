#pragma once
// ArtifactCache: the rack-local copy of upstream artifacts (BootProfile
// kernels and initrds given as http(s) URLs with a sha256). Each artifact is
// fetched once, verified, and then served from disk to every machine of the
// rack.
//
// - Files are named by their lowercase sha256 only, so no request can name
//   a path: containment holds by construction (and files open through
//   ArtifactRoot's openat2 RESOLVE_BENEATH all the same).
// - Single flight: while one download of a digest runs, every other request
//   for it waits for that download instead of starting its own.
// - A body whose digest differs is deleted, counted, and reported as an
//   error to every waiter; nothing of it is ever served.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bootd/http/artifact_files.h"
#include "bootd/http/upstream_fetcher.h"
#include "common/result.h"

namespace rackboot::bootd::http {

struct ArtifactCacheStats {
  uint64_t hits = 0;     // served from disk without waiting
  uint64_t fetches = 0;  // downloads started
  uint64_t waits = 0;    // requests that joined a running download
  uint64_t sha256_mismatches = 0;
  uint64_t fetch_errors = 0;  // transport errors, non-2xx, disk errors
  uint64_t bytes = 0;         // verified artifacts on disk (found at Open plus published since)
};

class ArtifactCache {
 public:
  // Creates `dir` if needed and removes partial downloads left by a crash.
  static Result<std::shared_ptr<ArtifactCache>> Open(const std::string& dir, std::shared_ptr<UpstreamFetcher> fetcher);

  // The verified file for `sha256` (64 lowercase hex), fetched from `url`
  // first if it is not on disk yet. Blocks while a download runs.
  Result<OpenedFile> Get(const std::string& url, const std::string& sha256);

  ArtifactCacheStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Flight {
    bool done = false;
    Status status;
  };

  ArtifactCache(std::string dir, std::shared_ptr<ArtifactRoot> root, std::shared_ptr<UpstreamFetcher> fetcher,
                uint64_t bytes_on_disk)
      : dir_(std::move(dir)), root_(std::move(root)), fetcher_(std::move(fetcher)), bytes_(bytes_on_disk) {}
  Status Download(const std::string& url, const std::string& sha256);

  std::string dir_;
  std::shared_ptr<ArtifactRoot> root_;  // the cache directory, for confined opens
  std::shared_ptr<UpstreamFetcher> fetcher_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;  // by sha256
  std::atomic<uint64_t> hits_{0}, fetches_{0}, waits_{0}, mismatches_{0}, fetch_errors_{0};
  // Nothing is evicted yet, so the size only grows while bootd runs.
  std::atomic<uint64_t> bytes_{0};
};

// True for exactly 64 lowercase hex digits.
bool IsSha256Hex(const std::string& s);

}  // namespace rackboot::bootd::http
