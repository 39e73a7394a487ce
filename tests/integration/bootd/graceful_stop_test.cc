// bootd stopped as Kubernetes stops a pod (SIGTERM) in the middle of a TFTP
// transfer, an HTTP download and an HTTPS download by real curl clients in a
// network namespace: each transfer completes byte for byte, bootd reports
// what it drained and exits 0 (under ASan: no error report), and the lease
// a real DHCP client (udhcpc) got before is replayed from the journal by the
// next bootd.
// "In the middle" without timing: the clients are stopped (SIGSTOP) once
// their first bytes arrived, so bootd's transfers cannot end (TFTP waits for
// an ACK, HTTP for room in the socket); bootd gets SIGTERM; the clients go
// on (SIGCONT) once bootd says it is draining.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "tests/integration/dhcp/dhcp_lab.h"

namespace rackboot::testing::dhcp {
namespace {

namespace fs = std::filesystem;

// The HTTP file is larger than every socket buffer on the path (the
// receive buffer may grow to net.ipv4.tcp_rmem's 32 MiB), so a stopped
// client keeps bootd's response in flight. TFTP is lockstep: a stopped
// client keeps the transfer waiting for its next ACK at any size.
constexpr size_t kHttpBytes = 128 << 20;
constexpr size_t kTftpBytes = 4 << 20;

// Each 8-byte word holds its own offset: a truncated, shifted or reordered
// copy differs.
void WriteOffsetFile(const std::string& path, size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  std::vector<uint64_t> chunk(1 << 17);
  for (size_t at = 0; at < bytes;) {
    for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = at + i * sizeof(uint64_t);
    const size_t n = std::min(bytes - at, chunk.size() * sizeof(uint64_t));
    out.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(n));
    at += n;
  }
}

size_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

class BootdGracefulStopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CanCreateNamespaces()) << "integration tests run as root";
    lab_ = std::make_unique<NetnsLab>("stop");
    lab_->AddNamespace("srv");
    lab_->AddNamespace("cli");
    ConnectServerAndClient(*lab_);
    root_ = wd() + "/root";
    fs::create_directories(root_);
    WriteOffsetFile(root_ + "/tftp.bin", kTftpBytes);
    WriteOffsetFile(root_ + "/http.bin", kHttpBytes + 3);
    const std::string pki = SourcePath("tests/integration/grpc/make_test_pki.sh") + " " + wd() + "/pki >/dev/null 2>&1";
    ASSERT_EQ(std::system(pki.c_str()), 0);
  }
  std::string wd() const { return lab_->work_dir(); }

  std::string Config() const {
    LabBootdConfig c(wd() + "/state");
    c.log_level = "info";
    c.sections = "shutdownGraceSeconds: 60\ntftp:\n  listen: 192.0.2.1:69\n  root: " + root_ +
                 "\nhttp:\n  listen: 192.0.2.1:8080\n  publicUrl: http://192.0.2.1:8080\n  artifactRoot: " + root_ +
                 "\n  tlsListen: 192.0.2.1:8443\n  tlsCertFile: " + wd() +
                 "/pki/controller.pem\n  tlsKeyFile: " + wd() + "/pki/controller.key\n";
    return c.Yaml();
  }

  std::unique_ptr<NetnsLab> lab_;
  std::string root_;
};

TEST_F(BootdGracefulStopTest, SigtermFinishesTransfersAndKeepsLeases) {
  fs::create_directories(wd() + "/state");
  auto bootd = StartBootd(*lab_, "srv", Config());
  ASSERT_TRUE(bootd->Running()) << bootd->Output();

  // A lease first, by a real client.
  const std::string events = wd() + "/events", hook = wd() + "/hook";
  WriteFile(hook, UdhcpcScript(events), true);
  std::string out;
  ASSERT_EQ(RunUdhcpcOnce(*lab_, "cli", hook, &out), 0) << out << bootd->Output();
  const std::string leased = AddressAfter(ReadFile(events), "bound ip=");
  ASSERT_FALSE(leased.empty()) << ReadFile(events);

  // Three downloads by curl: TFTP, HTTP (an event-loop connection) and
  // HTTPS (a connection thread), each stopped once it has its first bytes.
  const std::string got_tftp = wd() + "/got-tftp", got_http = wd() + "/got-http", got_https = wd() + "/got-https";
  auto tftp = lab_->Spawn("cli", {"curl", "-sS", "-o", got_tftp, "tftp://192.0.2.1/tftp.bin"});
  auto http = lab_->Spawn("cli", {"curl", "-sS", "-f", "-o", got_http, "http://192.0.2.1:8080/artifacts/http.bin"});
  auto https =
      lab_->Spawn("cli", {"curl", "-sS", "-f", "-k", "-o", got_https, "https://192.0.2.1:8443/artifacts/http.bin"});
  for (auto* client : {&tftp, &http, &https}) {
    const std::string& got = client == &tftp ? got_tftp : client == &http ? got_http : got_https;
    ASSERT_TRUE(WaitUntil([&] { return FileSize(got) > 0; })) << (*client)->Output() << bootd->Output();
    (*client)->Kill(SIGSTOP);
  }
  EXPECT_LT(FileSize(got_tftp), kTftpBytes);
  EXPECT_LT(FileSize(got_http), kHttpBytes);
  EXPECT_LT(FileSize(got_https), kHttpBytes);

  bootd->Kill(SIGTERM);
  ASSERT_TRUE(WaitUntil([&] { return bootd->Output().find("msg=stopping") != std::string::npos; })) << bootd->Output();
  for (auto* client : {&tftp, &http, &https}) (*client)->Kill(SIGCONT);
  const int bootd_exit = bootd->Wait(std::chrono::seconds(120));
  const std::string log = bootd->Output();
  EXPECT_EQ(bootd_exit, 0) << log;
  EXPECT_EQ(log.find("AddressSanitizer"), std::string::npos) << log;
  EXPECT_EQ(log.find("runtime error"), std::string::npos) << log;
  // One line says what was drained: the TFTP transfer and both connections.
  EXPECT_NE(log.find("msg=drained finished=\"tftp=1 http=2\""), std::string::npos) << log;

  EXPECT_EQ(tftp->Wait(std::chrono::seconds(60)), 0) << tftp->Output();
  EXPECT_EQ(http->Wait(std::chrono::seconds(60)), 0) << http->Output();
  EXPECT_EQ(https->Wait(std::chrono::seconds(60)), 0) << https->Output();
  EXPECT_TRUE(ReadFile(got_tftp) == ReadFile(root_ + "/tftp.bin"))
      << "TFTP download differs; got " << FileSize(got_tftp) << " bytes";
  EXPECT_TRUE(ReadFile(got_http) == ReadFile(root_ + "/http.bin"))
      << "HTTP download differs; got " << FileSize(got_http) << " bytes";
  EXPECT_TRUE(ReadFile(got_https) == ReadFile(root_ + "/http.bin"))
      << "HTTPS download differs; got " << FileSize(got_https) << " bytes";

  // The next bootd replays the journal: the client's lease is there.
  auto next = StartBootd(*lab_, "srv", Config());
  ASSERT_TRUE(next->Running()) << next->Output();
  EXPECT_NE(next->Output().find("leases=1"), std::string::npos) << next->Output();
  next->Kill(SIGTERM);
  EXPECT_EQ(next->Wait(std::chrono::seconds(60)), 0) << next->Output();
}

}  // namespace
}  // namespace rackboot::testing::dhcp
