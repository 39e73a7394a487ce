// The rack-local upstream artifact cache against a real upstream HTTP server
// (python3 http.server on 127.0.0.1 that counts GETs) and real curl clients:
// 20 concurrent downloads of one uncached kernel reach the upstream as one
// GET and are byte-identical; a wrong sha256 serves nothing, leaves no file
// and is counted; the iPXE script points the machine at bootd, not upstream.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bootd/http/http_server.h"
#include "tests/integration/http/command_runner.h"
#include "tests/support/test_paths.h"

namespace rackboot::bootd::http {
namespace {

namespace fs = std::filesystem;

// Counts every GET in a file (one line each) and holds the response back
// briefly so concurrent cache misses really overlap the one download; while
// the file "<count_file>.hold" exists it holds every response back (up to
// 60 s) to stand for a slow upstream.
const char* kUpstreamServer = R"PY(
import http.server, os, sys, time
root, count_file, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        with open(count_file, "a") as f:
            f.write(self.path + "\n")
        time.sleep(0.5)
        deadline = time.time() + 60
        while os.path.exists(count_file + ".hold") and time.time() < deadline:
            time.sleep(0.05)
        super().do_GET()
    def log_message(self, *args):
        pass
os.chdir(root)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
)PY";

const char* kMac = "52:54:00:aa:bb:01";

std::string Sha256Hex(const std::string& data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", d[i]);
    out += hex;
  }
  return out;
}

class ArtifactCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::FindProgram("curl").empty()) << "curl is required (scripts/setup)";
    ASSERT_FALSE(testing::FindProgram("python3").empty()) << "python3 is required";
    base_ = fs::temp_directory_path() / ("rb-artifact-cache-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "upstream" / "debian");
    std::mt19937_64 rng(7);
    kernel_.assign(6 << 20, '\0');
    for (size_t i = 0; i < kernel_.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&kernel_[i], &v, 8);
    }
    std::ofstream(base_ / "upstream" / "debian" / "vmlinuz", std::ios::binary) << kernel_;
    std::ofstream(base_ / "upstream" / "debian" / "initrd.gz", std::ios::binary) << "NOT-THE-INITRD-YOU-PINNED";
    std::ofstream(base_ / "upstream.py") << kUpstreamServer;
    StartUpstream();
    StartBootd();
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (upstream_pid_ > 0) {
      ::kill(upstream_pid_, SIGTERM);
      ::waitpid(upstream_pid_, nullptr, 0);
    }
    fs::remove_all(base_);
  }

  void StartUpstream() {
    const fs::path port_file = base_ / "port";
    upstream_pid_ = ::fork();
    if (upstream_pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execlp("python3", "python3", (base_ / "upstream.py").c_str(), (base_ / "upstream").c_str(),
               (base_ / "gets.log").c_str(), port_file.c_str(), nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(fs::exists(port_file)) << "upstream server did not start";
    std::ifstream(port_file) >> upstream_port_;
    ASSERT_GT(upstream_port_, 0);
  }

  void StartBootd() {
    const std::string upstream = "http://127.0.0.1:" + std::to_string(upstream_port_);
    Assignment a;
    a.machine_name = "lab/node-01";
    a.hostname = "node-01";
    InterfaceAssignment i;
    i.mac = *MacAddress::Parse(kMac);
    a.interfaces.push_back(i);
    a.boot.profile_name = "debian-upstream";
    a.boot.kernel = {upstream + "/debian/vmlinuz", Sha256Hex(kernel_)};
    // The pinned digest is of different bytes than upstream now serves.
    a.boot.initrds.push_back({upstream + "/debian/initrd.gz", Sha256Hex("THE-INITRD-YOU-PINNED")});
    a.boot.cmdline_template = "console=ttyS0";
    store_.Upsert(a);

    auto cache = ArtifactCache::Open((base_ / "cache").string(), MakeCurlUpstreamFetcher());
    ASSERT_TRUE(cache.ok()) << cache.error().message;
    cache_ = *cache;
    BootHttpOptions opts;
    opts.public_url = "http://127.0.0.1:8080";
    opts.rack = "r1";
    opts.upstream_cache = cache_;
    auto handler =
        std::make_shared<BootHttpHandler>(store_, events_, nullptr, ConfigTokenSigner::WithRandomKey(600), opts);
    HttpServerOptions so;
    so.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(handler, so);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  // `n` curls of `path` at once, into <base>/<prefix><i>.
  std::vector<pid_t> StartDownloads(int n, const std::string& path, const std::string& prefix) {
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        const std::string out = (base_ / (prefix + std::to_string(i))).string();
        ::execlp("curl", "curl", "-sS", "-f", "-o", out.c_str(), (url_ + path).c_str(), nullptr);
        ::_exit(127);
      }
      pids.push_back(pid);
    }
    return pids;
  }

  // Every curl of StartDownloads succeeded with the kernel's exact bytes.
  void ExpectDownloadsOfKernel(const std::vector<pid_t>& pids, const std::string& prefix) {
    for (pid_t pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a curl failed";
    }
    for (size_t i = 0; i < pids.size(); ++i) {
      EXPECT_TRUE(ReadFile(base_ / (prefix + std::to_string(i))) == kernel_) << "download " << i << " differs";
    }
  }

  int UpstreamGets() {
    std::ifstream in(base_ / "gets.log");
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }

  fs::path base_;
  std::string kernel_;
  pid_t upstream_pid_ = -1;
  int upstream_port_ = 0;
  AssignmentStore store_;
  BootEventRecorder events_;
  std::shared_ptr<ArtifactCache> cache_;
  std::unique_ptr<HttpServer> server_;
  std::string url_;
};

TEST_F(ArtifactCacheTest, ScriptPointsAtTheCacheNotUpstream) {
  auto script = RunCommand({"curl", "-sS", "-f", url_ + "/ipxe/" + kMac});
  ASSERT_EQ(script.exit_code, 0);
  const std::string kernel_line =
      "kernel http://127.0.0.1:8080/cached/52-54-00-aa-bb-01/" + Sha256Hex(kernel_) + "/vmlinuz console=ttyS0";
  EXPECT_NE(script.out.find(kernel_line), std::string::npos) << script.out;
  EXPECT_EQ(script.out.find(std::to_string(upstream_port_)), std::string::npos) << "upstream URL leaked:\n"
                                                                                << script.out;
  EXPECT_EQ(UpstreamGets(), 0) << "rendering must not fetch";
}

TEST_F(ArtifactCacheTest, TwentyConcurrentMissesMakeOneUpstreamGet) {
  const std::string path = "/cached/52-54-00-aa-bb-01/" + Sha256Hex(kernel_) + "/vmlinuz";
  std::vector<pid_t> pids = StartDownloads(20, path, "out");
  ExpectDownloadsOfKernel(pids, "out");
  EXPECT_EQ(UpstreamGets(), 1);
  ArtifactCacheStats st = cache_->stats();
  EXPECT_EQ(st.fetches, 1u);
  EXPECT_EQ(st.hits + st.waits, 19u);
  // Later requests, ranged ones included, are served from disk.
  auto ranged = RunCommand({"curl", "-sS", "-f", "-r", "100-199", url_ + path});
  EXPECT_TRUE(ranged.out == kernel_.substr(100, 100));
  EXPECT_EQ(UpstreamGets(), 1);
  // The fetch is recorded per machine as the kernel stage.
  auto ev = RunCommand({"curl", "-sS", "-f", url_ + "/api/v1/events/" + kMac});
  EXPECT_NE(ev.out.find("\"stage\":\"kernel\""), std::string::npos) << ev.out;
}

// While a slow upstream download holds more /cached/ requests than bootd
// has event-loop threads, scripts and callbacks of other machines are still
// answered: requests that may wait are handed to a thread of their own.
TEST_F(ArtifactCacheTest, SlowUpstreamDownloadsDoNotStallScripts) {
  const std::string path = "/cached/52-54-00-aa-bb-01/" + Sha256Hex(kernel_) + "/vmlinuz";
  const fs::path hold = base_ / "gets.log.hold";
  std::ofstream(hold) << "hold";
  std::vector<pid_t> pids = StartDownloads(8, path, "held");
  for (int i = 0; i < 200 && UpstreamGets() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(UpstreamGets(), 1) << "the download never started";
  // The upstream is held: these are answered while all 8 downloads wait.
  // (--max-time only bounds a hang; the assertion is that they succeed.)
  auto script = RunCommand({"curl", "-sS", "-f", "--max-time", "20", url_ + "/ipxe/52-54-00-aa-bb-01"}, true);
  EXPECT_EQ(script.exit_code, 0) << script.out;
  EXPECT_NE(script.out.find("#!ipxe"), std::string::npos) << script.out;
  auto health = RunCommand({"curl", "-sS", "-f", "--max-time", "20", url_ + "/healthz"}, true);
  EXPECT_EQ(health.exit_code, 0) << health.out;
  for (pid_t pid : pids) {
    EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), 0) << "a held download finished early; the checks above prove nothing";
  }
  fs::remove(hold);
  ExpectDownloadsOfKernel(pids, "held");
  EXPECT_EQ(UpstreamGets(), 1);
}

TEST_F(ArtifactCacheTest, WrongSha256ServesNothingAndIsCounted) {
  const std::string sha = Sha256Hex("THE-INITRD-YOU-PINNED");
  const std::string url = url_ + "/cached/52-54-00-aa-bb-01/" + sha + "/initrd.gz";
  auto r = RunCommand({"curl", "-sS", "-o", (base_ / "initrd.out").string(), "-w", "%{http_code}", url});
  EXPECT_EQ(r.out, "502");
  EXPECT_EQ(ReadFile(base_ / "initrd.out").find("NOT-THE-INITRD"), std::string::npos) << "unverified bytes served";
  EXPECT_EQ(UpstreamGets(), 1);
  EXPECT_EQ(cache_->stats().sha256_mismatches, 1u);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(base_ / "cache")) left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << "cache kept " << left.size() << " file(s), first " << left[0];
  auto ev = RunCommand({"curl", "-sS", "-f", url_ + "/api/v1/events/" + kMac});
  EXPECT_NE(ev.out.find("sha256 mismatch"), std::string::npos) << ev.out;
}

TEST_F(ArtifactCacheTest, OnlyTheMachinesOwnArtifactsAreFetchable) {
  // A digest that is in no profile, a MAC bootd does not know, and a
  // traversal attempt in the digest position: none reaches upstream.
  const std::string other(64, 'a');
  auto code = [&](const std::string& path) {
    return RunCommand({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", url_ + path}).out;
  };
  EXPECT_EQ(code("/cached/52-54-00-aa-bb-01/" + other + "/x"), "404");
  EXPECT_EQ(code("/cached/52-54-00-aa-bb-99/" + Sha256Hex(kernel_) + "/vmlinuz"), "404");
  EXPECT_NE(code("/cached/52-54-00-aa-bb-01/../../etc/passwd"), "200");
  EXPECT_EQ(UpstreamGets(), 0);
}

}  // namespace
}  // namespace rackboot::bootd::http
