// bootd's HTTP server against real curl on loopback (random port): scripts,
// full / ranged / conditional / HEAD / concurrent / keep-alive downloads
// compared byte for byte, a stalled reader dropped, path traversal over
// the wire, HTTPS with a certificate reload while a download runs.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bootd/http/http_server.h"
#include "tests/integration/http/command_runner.h"
#include "tests/support/test_paths.h"
#include "tests/unit/bootd/http/traversal_variants.h"

namespace rackboot::bootd::http {
namespace {

namespace fs = std::filesystem;
const char* kCanary = "CANARY-OUTSIDE-THE-ROOT";

// A TCP connection to 127.0.0.1:port (-1 on failure); `rcvbuf` > 0 sets
// SO_RCVBUF first (a small receive window).
int ConnectLoopback(uint16_t port, int rcvbuf = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `parts` with one send() each, then reads until the server closes
// (*eof = true) or 20 s pass without a byte (*eof = false: the test fails
// instead of hanging).
std::string RawExchange(uint16_t port, const std::vector<std::string>& parts, bool* eof) {
  *eof = false;
  int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (const auto& part : parts) ::send(fd, part.data(), part.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
  *eof = n == 0;
  ::close(fd);
  return out;
}

// Sends exact bytes (no client-side normalization) and returns the reply.
std::string RawRequest(uint16_t port, const std::string& bytes) {
  bool eof = false;
  return RawExchange(port, {bytes}, &eof);
}

// The state of the server's side of the TCP connection server_port <->
// client_port from /proc/net/tcp ("01" = ESTABLISHED), "" when it is gone.
std::string ServerSideTcpState(uint16_t server_port, uint16_t client_port) {
  char local[16], remote[16];
  std::snprintf(local, sizeof local, ":%04X", server_port);
  std::snprintf(remote, sizeof remote, ":%04X", client_port);
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state;
    fields >> slot >> local_address >> remote_address >> state;
    if (local_address.ends_with(local) && remote_address.ends_with(remote)) return state;
  }
  return "";
}

uint16_t LocalPort(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  return ntohs(sa.sin_port);
}

// Every response the server reports, in order.
class RecordingObserver : public HttpRequestObserver {
 public:
  struct Seen {
    std::string path;
    int status;
    uint64_t bytes;
  };
  void OnResponse(std::string_view path, int status, uint64_t bytes, double) override {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back({std::string(path), status, bytes});
  }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::vector<Seen> seen_;
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class HttpCurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::FindProgram("curl").empty()) << "curl is required (scripts/setup)";
    base_ = fs::temp_directory_path() / ("rb-http-curl-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "root" / "debian");
    fs::create_directories(base_ / "root" / "sub");
    fs::create_directories(base_ / "root-private");
    std::ofstream(base_ / "canary.txt") << kCanary;
    std::ofstream(base_ / "root-private" / "secret") << kCanary;
    fs::create_symlink("../canary.txt", base_ / "root" / "escape-link");
    fs::create_symlink(base_ / "canary.txt", base_ / "root" / "abs-link");
    fs::create_symlink("..", base_ / "root" / "dir-link");
    // 8 MiB of pseudo-random bytes: big enough for several sendfile calls.
    std::mt19937_64 rng(42);
    std::string big(8 << 20, '\0');
    for (size_t i = 0; i < big.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&big[i], &v, 8);
    }
    std::ofstream(base_ / "root" / "debian" / "vmlinuz", std::ios::binary) << big;
    std::ofstream(base_ / "root" / "debian" / "initrd.img") << "INITRD";

    Assignment a;
    a.machine_name = "lab/node-01";
    a.hostname = "node-01";
    InterfaceAssignment i;
    i.mac = *MacAddress::Parse("52:54:00:12:34:56");
    a.interfaces.push_back(i);
    a.boot.profile_name = "debian";
    a.boot.kernel.url = "debian/vmlinuz";
    a.boot.initrds.push_back({"debian/initrd.img", ""});
    a.boot.cmdline_template = "ip=dhcp nfsroot={{env.nfs-server}}:/srv";
    store_.Upsert(a);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    fs::remove_all(base_);
  }

  void StartServer(bool tls, int idle_timeout_seconds = 30) {
    auto root = ArtifactRoot::Open((base_ / "root").string());
    ASSERT_TRUE(root.ok());
    BootHttpOptions opts;
    opts.public_url = "http://127.0.0.1:8080";
    opts.rack = "r1";
    opts.environment["nfs-server"] = "192.0.2.10";
    auto handler =
        std::make_shared<BootHttpHandler>(store_, events_, *root, ConfigTokenSigner::WithRandomKey(600), opts);
    HttpServerOptions so;
    so.listen = "127.0.0.1:0";
    so.idle_timeout_seconds = idle_timeout_seconds;
    so.send_timeout_seconds = send_timeout_seconds_;
    so.observer = observer_;
    if (tls) {
      so.tls_listen = "127.0.0.1:0";
      so.tls_cert_file = (base_ / "cert.pem").string();
      so.tls_key_file = (base_ / "key.pem").string();
    }
    server_ = std::make_unique<HttpServer>(handler, so);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  // Self-signed certificate for 127.0.0.1, written to cert/key paths.
  void MakeCert(const fs::path& cert, const fs::path& key, const std::string& cn) {
    auto r = RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                         "-keyout", key.string(), "-out", cert.string(), "-days", "1", "-subj", "/CN=" + cn, "-addext",
                         "subjectAltName=IP:127.0.0.1"});
    ASSERT_EQ(r.exit_code, 0);
  }

  // `n` parallel curl downloads of the 8 MiB kernel, compared byte for byte.
  void ExpectParallelDownloadsIdentical(const std::string& base_url, const std::vector<std::string>& curl_opts, int n) {
    const std::string original = ReadFile(base_ / "root" / "debian" / "vmlinuz");
    std::vector<std::string> argv = {"curl", "-sS", "-f", "--parallel", "--parallel-max", std::to_string(n)};
    argv.insert(argv.end(), curl_opts.begin(), curl_opts.end());
    for (int i = 0; i < n; ++i) {
      argv.push_back("-o");
      argv.push_back((base_ / ("par" + std::to_string(i))).string());
      argv.push_back(base_url + "/artifacts/debian/vmlinuz?i=" + std::to_string(i));
    }
    ASSERT_EQ(RunCommand(argv).exit_code, 0);
    for (int i = 0; i < n; ++i) EXPECT_TRUE(ReadFile(base_ / ("par" + std::to_string(i))) == original) << i;
  }

  fs::path base_;
  AssignmentStore store_;
  BootEventRecorder events_;
  std::unique_ptr<HttpServer> server_;
  std::string url_;
  int send_timeout_seconds_ = 120;           // set before StartServer
  HttpRequestObserver* observer_ = nullptr;  // set before StartServer
};

TEST_F(HttpCurlTest, PerMacScriptAndDiscoveryScript) {
  StartServer(false);
  auto known = RunCommand({"curl", "-sS", "-f", url_ + "/ipxe/52:54:00:12:34:56"});
  ASSERT_EQ(known.exit_code, 0);
  EXPECT_EQ(known.out.rfind("#!ipxe\n", 0), 0u);
  EXPECT_NE(known.out.find("kernel http://127.0.0.1:8080/boot/52-54-00-12-34-56/debian/vmlinuz ip=dhcp "
                           "nfsroot=192.0.2.10:/srv initrd=initrd.img || goto rackboot.retry\n"),
            std::string::npos)
      << known.out;
  auto unknown = RunCommand({"curl", "-sS", "-w", "%{http_code}", url_ + "/ipxe/aa-bb-cc-dd-ee-ff"});
  ASSERT_EQ(unknown.exit_code, 0);
  EXPECT_NE(unknown.out.find("no machine with MAC aa:bb:cc:dd:ee:ff"), std::string::npos);
  EXPECT_EQ(unknown.out.substr(unknown.out.size() - 3), "200");
  // The lab reads stages back as JSON; POST /booted records the last one.
  ASSERT_EQ(RunCommand({"curl", "-sS", "-f", "-X", "POST", "-d", "", url_ + "/booted/525400123456"}).exit_code, 0);
  auto ev = RunCommand({"curl", "-sS", "-f", url_ + "/api/v1/events/52:54:00:12:34:56"});
  EXPECT_NE(ev.out.find("\"stage\":\"script\""), std::string::npos) << ev.out;
  EXPECT_NE(ev.out.find("\"stage\":\"booted\""), std::string::npos) << ev.out;
}

TEST_F(HttpCurlTest, FullRangedHeadConditionalKeepAliveDownloads) {
  StartServer(false);
  const std::string original = ReadFile(base_ / "root" / "debian" / "vmlinuz");
  const fs::path out = base_ / "out.bin";
  const std::string file_url = url_ + "/boot/52-54-00-12-34-56/debian/vmlinuz";
  ASSERT_EQ(RunCommand({"curl", "-sS", "-f", "-o", out.string(), file_url}).exit_code, 0);
  EXPECT_TRUE(ReadFile(out) == original) << "full download differs";
  // The kernel stage is recorded with its byte count.
  auto events = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().stage, BootStage::kKernel);
  EXPECT_EQ(events.back().bytes, original.size());

  for (auto [first, last] : std::vector<std::pair<size_t, size_t>>{{0, 0}, {1000, 1999}, {4194300, 8388607}}) {
    auto r = RunCommand({"curl", "-sS", "-f", "-r", std::to_string(first) + "-" + std::to_string(last), "-o",
                         out.string(), "-w", "%{http_code}", file_url});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "206");
    EXPECT_TRUE(ReadFile(out) == original.substr(first, last - first + 1)) << first << "-" << last;
  }
  auto bad = RunCommand({"curl", "-sS", "-r", "9000000-", "-o", "/dev/null", "-w", "%{http_code}", file_url});
  EXPECT_EQ(bad.out, "416");

  auto head = RunCommand({"curl", "-sS", "-f", "-I", file_url});
  ASSERT_EQ(head.exit_code, 0);
  EXPECT_NE(head.out.find("Content-Length: " + std::to_string(original.size())), std::string::npos) << head.out;
  EXPECT_NE(head.out.find("ETag: \""), std::string::npos);
  EXPECT_NE(head.out.find("Last-Modified: "), std::string::npos);

  const fs::path etag = base_ / "etag.txt";
  ASSERT_EQ(RunCommand({"curl", "-sS", "-f", "--etag-save", etag.string(), "-o", "/dev/null", file_url}).exit_code, 0);
  // 304: no body bytes at all.
  auto cond = RunCommand({"curl", "-sS", "--etag-compare", etag.string(), "-o", "/dev/null", "-w",
                          "%{http_code} %{size_download}", file_url});
  EXPECT_EQ(cond.out, "304 0");
  auto ims = RunCommand({"curl", "-sS", "-z", (base_ / "root" / "debian" / "vmlinuz").string(), "-o", "/dev/null", "-w",
                         "%{http_code}", file_url});
  EXPECT_EQ(ims.out, "304");

  // Two requests on one connection: curl reports the reuse.
  auto reuse =
      RunCommand({"curl", "-sS", "-v", "-o", "/dev/null", "-o", "/dev/null", file_url, url_ + "/healthz"}, true);
  EXPECT_NE(reuse.out.find("Re-using existing connection"), std::string::npos);
}

// Regression: a client that resets its connection mid-download made the
// server's next sendfile() raise SIGPIPE, which killed the whole process
// (found by bench/http/run when wrk stopped). This test binary is that
// process, so without the fix it dies here.
TEST_F(HttpCurlTest, ClientResetMidDownloadDoesNotKillTheServer) {
  StartServer(false);
  for (int i = 0; i < 3; ++i) {
    int fd = ConnectLoopback(server_->port());
    ASSERT_GE(fd, 0);
    const std::string req = "GET /boot/52-54-00-12-34-56/debian/vmlinuz HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    char buf[4096];
    ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);  // the download has started
    linger rst{1, 0};                              // close with RST, not FIN
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
    ::close(fd);
  }
  // Still alive and serving: the full file, byte for byte.
  const std::string original = ReadFile(base_ / "root" / "debian" / "vmlinuz");
  auto again = RunCommand({"curl", "-sS", "-f", url_ + "/boot/52-54-00-12-34-56/debian/vmlinuz"});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_TRUE(again.out == original);
}

TEST_F(HttpCurlTest, ConcurrentDownloadsAreByteIdentical) {
  StartServer(false);
  ExpectParallelDownloadsIdentical(url_, {}, 8);
}

// More HTTPS downloads at once than the server lets encrypt at once (one
// per hardware thread): each still gets every byte, in order.
TEST_F(HttpCurlTest, ManyConcurrentHttpsDownloadsAreByteIdentical) {
  MakeCert(base_ / "cert.pem", base_ / "key.pem", "127.0.0.1");
  StartServer(true);
  ExpectParallelDownloadsIdentical("https://127.0.0.1:" + std::to_string(server_->tls_port()),
                                   {"--cacert", (base_ / "cert.pem").string()}, 16);
}

// File bodies go out from the epoll loop threads a slice at a time; after
// one, the same connection carries on with its next request. Every body
// arrives whole and is reported once with its exact byte count.
TEST_F(HttpCurlTest, KeepAliveRequestsAfterLargeFilesOnOneConnection) {
  RecordingObserver observer;
  observer_ = &observer;
  StartServer(false);
  const std::string original = ReadFile(base_ / "root" / "debian" / "vmlinuz");
  const std::vector<std::string> paths = {"/artifacts/debian/vmlinuz", "/artifacts/debian/initrd.img",
                                          "/boot/52-54-00-12-34-56/debian/vmlinuz", "/healthz"};
  std::vector<std::string> argv = {"curl", "-sS", "-f", "-v"};
  for (size_t i = 0; i < paths.size(); ++i) {
    argv.push_back("-o");
    argv.push_back((base_ / ("ka" + std::to_string(i))).string());
    argv.push_back(url_ + paths[i]);
  }
  auto r = RunCommand(argv, true);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Count(r.out, "Re-using existing connection"), 3u) << r.out;
  EXPECT_TRUE(ReadFile(base_ / "ka0") == original);
  EXPECT_EQ(ReadFile(base_ / "ka1"), "INITRD");
  EXPECT_TRUE(ReadFile(base_ / "ka2") == original);
  EXPECT_EQ(ReadFile(base_ / "ka3"), "ok\n");
  // The first three were reported before the connection read the next
  // request (the last one's report may still be on its way).
  auto seen = observer.seen();
  ASSERT_GE(seen.size(), 3u);
  const uint64_t sizes[] = {original.size(), 6, original.size()};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].path, paths[i]);
    EXPECT_EQ(seen[i].status, 200);
    EXPECT_EQ(seen[i].bytes, sizes[i]) << paths[i];
  }
  auto events = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().stage, BootStage::kKernel);
  EXPECT_EQ(events.back().bytes, original.size());
}

// A client that asks for a file and stops reading: the loop thread does
// not wait for it (other downloads go on meanwhile), and once it has taken
// nothing for send_timeout_seconds the server drops it.
TEST_F(HttpCurlTest, StalledReaderIsDroppedWhileOtherDownloadsGoOn) {
  send_timeout_seconds_ = 1;
  StartServer(false);
  int fd = ConnectLoopback(server_->port(), /*rcvbuf=*/4096);  // a small window: the server fills it at once
  ASSERT_GE(fd, 0);
  const std::string req = "GET /artifacts/debian/vmlinuz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));

  ExpectParallelDownloadsIdentical(url_, {}, 8);

  // The server gives up: its side leaves ESTABLISHED (shut down, FIN queued
  // behind the unsent bytes). Bounded, so a server that never gives up
  // fails the test instead of hanging it.
  const uint16_t client_port = LocalPort(fd);
  std::string state = "01";
  for (int i = 0; i < 600 && state == "01"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    state = ServerSideTcpState(server_->port(), client_port);
  }
  EXPECT_NE(state, "01") << "the server still waits for the stalled reader";
  // Reading now gets what was queued before the drop, then the end: never
  // the whole file.
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  size_t total = 0;
  char buf[65536];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) total += static_cast<size_t>(n);
  const bool ended = n == 0 || (n < 0 && errno == ECONNRESET);
  ::close(fd);
  EXPECT_TRUE(ended) << "no end of stream after the drop";
  EXPECT_LT(total, fs::file_size(base_ / "root" / "debian" / "vmlinuz"));
  // The server goes on serving.
  auto health = RunCommand({"curl", "-sS", "-f", url_ + "/healthz"});
  EXPECT_EQ(health.out, "ok\n");
}

// Plain connections wait in the server's epoll loop, which answers
// requests and sends file bodies itself and hands a connection to a thread
// for request bodies and errors: pipelined requests of every kind still get
// their answers in order on one connection.
TEST_F(HttpCurlTest, PipelinedScriptFileHeadAndSmallAnswersInOrder) {
  StartServer(false);
  const std::string h = " HTTP/1.1\r\nHost: x\r\n";
  bool eof = false;
  std::string reply = RawExchange(server_->port(),
                                  {"GET /ipxe/52:54:00:12:34:56" + h + "\r\n" + "GET /artifacts/debian/initrd.img" + h +
                                   "\r\n" + "HEAD /artifacts/debian/initrd.img" + h + "\r\n" + "GET /healthz" + h +
                                   "\r\n" + "GET /ipxe/52:54:00:12:34:56" + h + "Connection: close\r\n\r\n"},
                                  &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(Count(reply, "HTTP/1.1 200 "), 5u) << reply;
  const size_t script = reply.find("#!ipxe"), file = reply.find("\r\n\r\nINITRD"), health = reply.find("\r\n\r\nok\n"),
               script2 = reply.rfind("#!ipxe");
  ASSERT_NE(script, std::string::npos);
  ASSERT_NE(file, std::string::npos);
  ASSERT_NE(health, std::string::npos);
  EXPECT_LT(script, file);
  EXPECT_LT(file, health);
  EXPECT_LT(health, script2);
  EXPECT_EQ(Count(reply, "INITRD"), 1u);  // HEAD: headers only
}

TEST_F(HttpCurlTest, LateRequestBodyBadRequestAndHugeHeadAreAnswered) {
  StartServer(false);
  bool eof = false;
  // The body arrives in a second segment; the next request follows it.
  std::string reply = RawExchange(server_->port(),
                                  {"POST /booted/525400123456 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
                                   "hello", "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
                                  &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(Count(reply, "HTTP/1.1 200 "), 2u) << reply;
  EXPECT_EQ(events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56")).back().stage, BootStage::kBooted);
  reply = RawExchange(server_->port(), {"GARBAGE\r\n\r\n"}, &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply;
  reply = RawExchange(server_->port(), {"GET / HTTP/1.1\r\nX: " + std::string(20000, 'a')}, &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0u) << reply;
}

TEST_F(HttpCurlTest, IdleKeepAliveConnectionIsClosedByTheServer) {
  StartServer(false, /*idle_timeout_seconds=*/1);
  bool eof = false;
  std::string reply = RawExchange(server_->port(), {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"}, &eof);
  EXPECT_NE(reply.find("\r\n\r\nok\n"), std::string::npos) << reply;
  EXPECT_TRUE(eof) << "the server kept an idle connection open";
  // A client that never finishes its request head is dropped the same way.
  reply = RawExchange(server_->port(), {"GET /healthz HTTP/1.1\r\n"}, &eof);
  EXPECT_TRUE(eof);
  EXPECT_EQ(reply, "");
}

TEST_F(HttpCurlTest, TraversalOverTheWireNeverLeaksTheCanary) {
  StartServer(false);
  auto variants = rackboot::testing::TraversalVariants("canary.txt");
  ASSERT_GE(variants.size(), 200u);
  for (const auto& v : variants) {
    std::string reply = RawRequest(server_->port(), "GET " + v + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 ", 0), 0u) << v;
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), std::string::npos) << v;
    EXPECT_EQ(reply.find(kCanary), std::string::npos) << v;
  }
  // And through curl itself, without its own path cleanup.
  for (size_t i = 0; i < variants.size(); i += 7) {
    auto r = RunCommand({"curl", "-s", "--path-as-is", url_ + variants[i]});
    EXPECT_EQ(r.out.find(kCanary), std::string::npos) << variants[i];
  }
}

TEST_F(HttpCurlTest, HttpsDownloadAndCertificateReloadDuringADownload) {
  MakeCert(base_ / "cert.pem", base_ / "key.pem", "first");
  fs::copy_file(base_ / "cert.pem", base_ / "first.pem");
  StartServer(true);
  const std::string https = "https://127.0.0.1:" + std::to_string(server_->tls_port());
  const std::string original = ReadFile(base_ / "root" / "debian" / "vmlinuz");
  const fs::path out = base_ / "tls.bin";
  ASSERT_EQ(RunCommand({"curl", "-sS", "-f", "--cacert", (base_ / "first.pem").string(), "-o", out.string(),
                        https + "/artifacts/debian/vmlinuz"})
                .exit_code,
            0);
  EXPECT_TRUE(ReadFile(out) == original);
  auto ranged = RunCommand({"curl", "-sS", "-f", "--cacert", (base_ / "first.pem").string(), "-r", "100-199",
                            https + "/artifacts/debian/vmlinuz"});
  EXPECT_TRUE(ranged.out == original.substr(100, 100));

  // A slow download (rate-limited client) runs across the reload.
  const fs::path slow = base_ / "slow.bin";
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);
    ::execlp("curl", "curl", "-sS", "-f", "--limit-rate", "4M", "--cacert", (base_ / "first.pem").c_str(), "-o",
             slow.c_str(), (https + "/artifacts/debian/vmlinuz").c_str(), nullptr);
    ::_exit(127);
  }
  // Wait until the download has started (bytes on disk), then swap the pair.
  while (!fs::exists(slow) || fs::file_size(slow) == 0) ::usleep(10000);
  MakeCert(base_ / "new-cert.pem", base_ / "new-key.pem", "second");
  fs::rename(base_ / "new-key.pem", base_ / "key.pem");
  fs::rename(base_ / "new-cert.pem", base_ / "cert.pem");
  // New connections get the new certificate; the old CA no longer verifies.
  auto fresh = RunCommand({"curl", "-sS", "-f", "--cacert", (base_ / "cert.pem").string(), https + "/healthz"});
  EXPECT_EQ(fresh.exit_code, 0);
  EXPECT_EQ(fresh.out, "ok\n");
  EXPECT_NE(RunCommand({"curl", "-sS", "-f", "--cacert", (base_ / "first.pem").string(), https + "/healthz"}).exit_code,
            0);
  EXPECT_GE(server_->tls_reloads(), 1u);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(ReadFile(slow) == original) << "download across the reload differs";
}

}  // namespace
}  // namespace rackboot::bootd::http
