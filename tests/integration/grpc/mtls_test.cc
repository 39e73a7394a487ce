// mTLS between bootd and the controller: every rejection case of issue 7
// (no client certificate, expired, foreign CA, another rack's identity,
// TLS < 1.2 via the real openssl s_client) next to a positive control, and
// certificate rotation on both sides without restarting anything.

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "rackboot/v1alpha1/assignment.grpc.pb.h"
#include "tests/integration/grpc/push_test_env.h"

namespace rackboot::push_test {
namespace {

// A bare stream opened with the callback API: says Hello and reports whether
// anything came back and how the call ended.
class ProbeStream : public grpc::ClientBidiReactor<v1alpha1::BootdMessage, v1alpha1::ControllerMessage> {
 public:
  ProbeStream(v1alpha1::AssignmentService::Stub* stub, const std::string& rack) {
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    stub->async()->StreamAssignments(&ctx_, this);
    hello_.mutable_hello()->set_rack(rack);
    StartWrite(&hello_);
    StartRead(&in_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::lock_guard<std::mutex> lock(mu_);
    got_update_ = true;
    ctx_.TryCancel();
  }
  void OnWriteDone(bool) override {}
  void OnDone(const grpc::Status& s) override {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = s;
    done_ = true;
    cv_.notify_all();
  }
  std::pair<grpc::Status, bool> Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
    return {status_, got_update_};
  }

 private:
  grpc::ClientContext ctx_;
  v1alpha1::BootdMessage hello_;
  v1alpha1::ControllerMessage in_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool got_update_ = false;
  grpc::Status status_;
};

class MtlsTest : public PushTestEnv {
 protected:
  void SetUp() override {
    PushTestEnv::SetUp();
    cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01"));
    cache_.Upsert("rack-b", Machine("ns/b1", "52:54:00:00:0b:01", "", "rack-b"));
  }

  // Probe with a client identity (empty: no client certificate at all).
  std::pair<grpc::Status, bool> Probe(const std::string& cert, const std::string& rack) {
    std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
    if (cert.empty()) {
      provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(Pki("ca.pem"), 60);
    } else {
      provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          Pki(cert + ".key"), Pki(cert + ".pem"), Pki("ca.pem"), 60);
    }
    grpc::experimental::TlsChannelCredentialsOptions tls;
    tls.set_certificate_provider(provider);
    tls.watch_root_certs();
    if (!cert.empty()) tls.watch_identity_key_cert_pairs();
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::experimental::TlsCredentials(tls));
    auto stub = v1alpha1::AssignmentService::NewStub(channel);
    ProbeStream probe(stub.get(), rack);
    return probe.Wait();
  }

  // The agent keeps being turned away: several attempts, never connected,
  // nothing applied.
  void ExpectAgentRejected(Bootd& b, grpc::StatusCode code) {
    ASSERT_TRUE(WaitFor([&] { return b.agent->streams_started() >= 3; }));
    EXPECT_FALSE(b.agent->connected());
    EXPECT_EQ(b.agent->applied_version(), 0u);
    EXPECT_EQ(b.store.size(), 0u);
    EXPECT_EQ(b.agent->last_stream_status().first, static_cast<int>(code)) << b.agent->last_stream_status().second;
  }

  std::string SClient(const std::string& extra, int* rc) {
    return RunCommand("openssl s_client -connect 127.0.0.1:" + std::to_string(port_) +
                          " -servername localhost -alpn h2 -CAfile " + Pki("ca.pem") + " " + extra + " </dev/null",
                      rc);
  }
};

TEST_F(MtlsTest, ValidClientCertificateIsServed) {
  StartController();
  auto [status, got_update] = Probe("bootd-rack-a", "rack-a");
  EXPECT_TRUE(got_update) << status.error_message();
}

TEST_F(MtlsTest, NoClientCertificateRejected) {
  StartController();
  auto [status, got_update] = Probe("", "rack-a");
  EXPECT_FALSE(got_update);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(server_->stream_count(), 0u);
}

TEST_F(MtlsTest, ExpiredClientCertificateRejected) {
  StartController();
  Bootd& b = StartBootd("rack-a", "bootd-rack-a-expired");
  ExpectAgentRejected(b, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MtlsTest, ForeignCaRejected) {
  StartController();
  Bootd& b = StartBootd("rack-a", "bootd-rack-a-foreign");
  ExpectAgentRejected(b, grpc::StatusCode::UNAVAILABLE);
}

TEST_F(MtlsTest, HelloForAnotherRackRejected) {
  StartController();
  Bootd& b = StartBootd("rack-b", "bootd-rack-a");  // rack-a's certificate asking for rack-b
  ExpectAgentRejected(b, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(b.agent->last_stream_status().second.find("does not match certificate rack 'rack-a'"), std::string::npos);
  EXPECT_FALSE(b.store.FindByName("ns/b1"));
}

TEST_F(MtlsTest, CertificateWithoutRackIdentityRejected) {
  StartController();
  Bootd& b = StartBootd("rack-a", "bootd-no-identity");
  ExpectAgentRejected(b, grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MtlsTest, Tls11ClientRejectedTls12Accepted) {
  StartController();
  const std::string client = "-cert " + Pki("bootd-rack-a.pem") + " -key " + Pki("bootd-rack-a.key");
  int rc = 0;
  // SECLEVEL=0 lets OpenSSL 3 offer TLS 1.1 at all, so the refusal is the server's.
  std::string out = SClient(client + " -tls1_1 -cipher DEFAULT:@SECLEVEL=0", &rc);
  EXPECT_NE(rc, 0) << out;
  // The client did offer TLS 1.1; gRPC's server refuses ("unsupported
  // protocol") and closes without completing a handshake.
  EXPECT_NE(out.find("Protocol  : TLSv1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("Cipher is (NONE)"), std::string::npos) << out;
  EXPECT_EQ(out.find("New, TLSv1"), std::string::npos) << out;  // no session
  // Control: the same client with TLS 1.2 completes the handshake.
  out = SClient(client + " -tls1_2", &rc);
  EXPECT_NE(out.find("New, TLSv1.2, Cipher is"), std::string::npos) << out;
  EXPECT_NE(out.find("Verify return code: 0 (ok)"), std::string::npos) << out;
  EXPECT_EQ(out.find("alert"), std::string::npos) << out;
}

void CopyFile(const std::string& from, const std::string& to) {
  // Write then rename, as a Secret volume update swaps files atomically.
  std::filesystem::copy_file(from, to + ".new", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(to + ".new", to);
}

TEST_F(MtlsTest, ServerCertificateRotatesWithoutRestart) {
  server_cert_dir_ = state_dir_ + "/server-tls";
  std::filesystem::create_directories(server_cert_dir_);
  CopyFile(Pki("controller.pem"), server_cert_dir_ + "/tls.crt");
  CopyFile(Pki("controller.key"), server_cert_dir_ + "/tls.key");
  StartController("controller", /*refresh_seconds=*/1);
  const std::string client = "-cert " + Pki("bootd-rack-a.pem") + " -key " + Pki("bootd-rack-a.key");
  int rc = 0;
  std::string out = SClient(client, &rc);
  ASSERT_NE(out.find("CN = rackboot-controller\n"), std::string::npos) << out;

  CopyFile(Pki("controller-rotated.key"), server_cert_dir_ + "/tls.key");
  CopyFile(Pki("controller-rotated.pem"), server_cert_dir_ + "/tls.crt");
  ASSERT_TRUE(
      WaitFor([&] { return SClient(client, &rc).find("CN = rackboot-controller-rotated") != std::string::npos; }));
  // The same server process keeps serving bootd with the new certificate.
  Bootd& b = StartBootd();
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
}

TEST_F(MtlsTest, ClientCertificateRotatesWithoutRestart) {
  StartController();
  const std::string dir = state_dir_ + "/client-tls";
  std::filesystem::create_directories(dir);
  CopyFile(Pki("bootd-rack-a-expired.pem"), dir + "/tls.crt");
  CopyFile(Pki("bootd-rack-a-expired.key"), dir + "/tls.key");
  bootds_.push_back(std::make_unique<Bootd>());
  Bootd& b = *bootds_.back();
  bootd::agent::ControllerAgentOptions o;
  o.rack = "rack-a";
  o.address = "127.0.0.1:" + std::to_string(port_);
  o.ca_file = Pki("ca.pem");
  o.cert_file = dir + "/tls.crt";
  o.key_file = dir + "/tls.key";
  o.backoff_base = std::chrono::milliseconds(20);
  o.backoff_cap = std::chrono::milliseconds(200);
  b.agent = std::make_unique<bootd::agent::ControllerAgent>(o, b.store, b.events);
  ASSERT_TRUE(b.agent->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return b.agent->streams_started() >= 2; }));
  EXPECT_EQ(b.agent->applied_version(), 0u);
  // The renewed certificate lands in the same files; the agent picks it up
  // on its next attempt.
  CopyFile(Pki("bootd-rack-a.key"), dir + "/tls.key");
  CopyFile(Pki("bootd-rack-a.pem"), dir + "/tls.crt");
  ASSERT_TRUE(WaitFor([&] { return b.agent->applied_version() == cache_.Version("rack-a"); }));
}

}  // namespace
}  // namespace rackboot::push_test
