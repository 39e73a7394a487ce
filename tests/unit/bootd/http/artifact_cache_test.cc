// ArtifactCache's own rules with an in-process fetcher that the test holds
// back at will (the real libcurl path is covered by
// tests/integration/http/artifact_cache_test.cc): joiners of a running
// download really wait for it, a digest mismatch keeps nothing, bad digests
// never reach the fetcher, a crash's partial file is swept at start, and
// the size it reports (rackboot_artifact_cache_bytes) is what is on disk.

#include "bootd/http/artifact_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

namespace rackboot::bootd::http {
namespace {

namespace fs = std::filesystem;

// sha256("rackboot kernel bytes")
constexpr const char* kBody = "rackboot kernel bytes";
constexpr const char* kBodySha = "60c043a435afdedb0014fad5b3d6ae2ce42521ce2b2d98d7e27d5696f514f637";

class HeldFetcher : public UpstreamFetcher {
 public:
  std::string body = kBody;
  bool fail = false;
  std::atomic<int> calls{0};

  Status Fetch(const std::string&, const Sink& sink) override {
    ++calls;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return released_; });
    if (fail) return Error{"connection refused"};
    // Two chunks: the cache must hash and write across calls.
    Status s = sink(body.data(), body.size() / 2);
    if (!s.ok()) return s;
    return sink(body.data() + body.size() / 2, body.size() - body.size() / 2);
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

std::string ReadFd(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0)
    out.append(buf, static_cast<size_t>(n));
  return out;
}

class ArtifactCacheUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rb-cache-unit-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fetcher_ = std::make_shared<HeldFetcher>();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::shared_ptr<ArtifactCache> Open() {
    auto c = ArtifactCache::Open(dir_.string(), fetcher_);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : nullptr;
  }
  std::vector<std::string> Files() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    return out;
  }
  fs::path dir_;
  std::shared_ptr<HeldFetcher> fetcher_;
};

// `printf 'rackboot kernel bytes' | sha256sum`; KnownDigest checks it.
std::string ShaOfBody() {
  return kBodySha;
}

TEST_F(ArtifactCacheUnitTest, KnownDigest) {
  // Guards the constant the other tests rely on.
  auto cache = Open();
  fetcher_->Release();
  auto f = cache->Get("http://upstream.invalid/k", ShaOfBody());
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(ReadFd(f->fd.get()), kBody);
}

TEST_F(ArtifactCacheUnitTest, JoinersWaitForTheOneRunningDownload) {
  auto cache = Open();
  std::vector<std::thread> threads;
  std::vector<std::string> got(6);
  threads.emplace_back([&] {
    auto f = cache->Get("http://upstream.invalid/k", ShaOfBody());
    if (f.ok()) got[0] = ReadFd(f->fd.get());
  });
  while (fetcher_->calls.load() == 0) std::this_thread::yield();
  for (int i = 1; i < 6; ++i) {
    threads.emplace_back([&, i] {
      auto f = cache->Get("http://upstream.invalid/k", ShaOfBody());
      if (f.ok()) got[i] = ReadFd(f->fd.get());
    });
  }
  // The download is still held: all five must be waiting on it.
  while (cache->stats().waits < 5) std::this_thread::yield();
  fetcher_->Release();
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, kBody);
  EXPECT_EQ(fetcher_->calls.load(), 1);
  EXPECT_EQ(cache->stats().fetches, 1u);
  EXPECT_EQ(Files(), std::vector<std::string>{ShaOfBody()});
  // Served from disk from now on.
  ASSERT_TRUE(cache->Get("http://upstream.invalid/k", ShaOfBody()).ok());
  EXPECT_EQ(cache->stats().hits, 1u);
  EXPECT_EQ(fetcher_->calls.load(), 1);
}

TEST_F(ArtifactCacheUnitTest, DigestMismatchKeepsNothingAndIsRetriedNextTime) {
  auto cache = Open();
  fetcher_->body = "tampered bytes";
  fetcher_->Release();
  auto f = cache->Get("http://upstream.invalid/k", ShaOfBody());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("sha256 mismatch"), std::string::npos) << f.error().message;
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(cache->stats().sha256_mismatches, 1u);
  EXPECT_EQ(cache->stats().bytes, 0u);  // discarded bytes are not held
  // Nothing was cached, so the next request asks upstream again.
  fetcher_->body = kBody;
  ASSERT_TRUE(cache->Get("http://upstream.invalid/k", ShaOfBody()).ok());
  EXPECT_EQ(fetcher_->calls.load(), 2);
}

TEST_F(ArtifactCacheUnitTest, FetchErrorReachesEveryCallerAndLeavesNoFile) {
  auto cache = Open();
  fetcher_->fail = true;
  fetcher_->Release();
  auto f = cache->Get("http://upstream.invalid/k", ShaOfBody());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("connection refused"), std::string::npos);
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(cache->stats().fetch_errors, 1u);
}

TEST_F(ArtifactCacheUnitTest, MalformedDigestsNeverReachUpstream) {
  auto cache = Open();
  fetcher_->Release();
  const std::string upper = "60C043A435AFDEDB0014FAD5B3D6AE2CE42521CE2B2D98D7E27D5696F514F637";
  for (const std::string& bad : {std::string(""), std::string(63, 'a'), std::string(65, 'a'), upper,
                                 std::string("../../../../etc/passwd"), std::string(62, 'a') + "/."}) {
    EXPECT_FALSE(cache->Get("http://upstream.invalid/k", bad).ok()) << bad;
  }
  EXPECT_EQ(fetcher_->calls.load(), 0);
}

TEST_F(ArtifactCacheUnitTest, OpenSweepsPartialDownloads) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / (std::string(kBodySha) + ".part")) << "half";
  auto cache = Open();
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(cache->stats().bytes, 0u);
}

TEST_F(ArtifactCacheUnitTest, BytesCountVerifiedFilesFoundAtOpenAndPublishedSince) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / std::string(64, 'a')) << std::string(1000, 'x');  // cached by an earlier run
  std::ofstream(dir_ / "not-an-artifact") << "ignored";
  auto cache = Open();
  EXPECT_EQ(cache->stats().bytes, 1000u);
  fetcher_->Release();
  ASSERT_TRUE(cache->Get("http://upstream.invalid/k", ShaOfBody()).ok());
  EXPECT_EQ(cache->stats().bytes, 1000u + std::string(kBody).size());
  // A hit serves what is there and adds nothing.
  ASSERT_TRUE(cache->Get("http://upstream.invalid/k", ShaOfBody()).ok());
  EXPECT_EQ(cache->stats().bytes, 1000u + std::string(kBody).size());
}

}  // namespace
}  // namespace rackboot::bootd::http
