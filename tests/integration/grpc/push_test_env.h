#pragma once
// Shared set-up for the controller <-> bootd push tests: a test PKI made by
// the openssl CLI (make_test_pki.sh), a real AssignmentPushServer on
// 127.0.0.1, and real ControllerAgents dialing it over mTLS.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bootd/agent/controller_agent.h"
#include "bootd/assignments/assignment_store.h"
#include "bootd/events/boot_event_recorder.h"
#include "controller/push/push_server.h"
#include "controller/push/rack_snapshot_cache.h"
#include "tests/support/test_paths.h"

namespace rackboot::push_test {

// Waits for `cond` with a generous cap (no timing assertion: the cap only
// keeps a broken build from hanging).
inline bool WaitFor(const std::function<bool()>& cond, std::chrono::seconds cap = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + cap;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

inline std::string RunCommand(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  if (exit_code) *exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

// Records what the controller side sees.
class RecordingObserver : public controller::push::PushObserver {
 public:
  void OnBootEvent(const std::string& rack, const v1alpha1::BootEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back({rack, event});
  }
  void OnAck(const std::string&, uint64_t version) override {
    std::lock_guard<std::mutex> lock(mu_);
    acks_.push_back(version);
  }
  void OnNack(const std::string&, uint64_t version, const std::string& detail,
              const std::vector<std::string>& machines) override {
    std::lock_guard<std::mutex> lock(mu_);
    nacks_.push_back({version, detail, machines});
  }
  struct Nack {
    uint64_t version;
    std::string detail;
    std::vector<std::string> machines;
  };
  std::vector<std::pair<std::string, v1alpha1::BootEvent>> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<uint64_t> acks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_;
  }
  uint64_t last_ack() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acks_.empty() ? 0 : acks_.back();
  }
  std::vector<Nack> nacks() const {
    std::lock_guard<std::mutex> lock(mu_);
    return nacks_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, v1alpha1::BootEvent>> events_;
  std::vector<uint64_t> acks_;
  std::vector<Nack> nacks_;
};

inline v1alpha1::HostAssignment Machine(const std::string& name, const std::string& mac, const std::string& ip = "",
                                        const std::string& rack = "rack-a") {
  v1alpha1::HostAssignment a;
  a.set_machine_name(name);
  a.set_rack(rack);
  auto* i = a.add_interfaces();
  i->set_mac(mac);
  i->set_ipv4(ip);
  i->set_primary(true);
  a.set_allow_pxe(true);
  a.mutable_boot()->set_profile_name("debian");
  return a;
}

// One bootd: its store, its event recorder, its agent.
struct Bootd {
  bootd::AssignmentStore store;
  bootd::BootEventRecorder events;
  std::unique_ptr<bootd::agent::ControllerAgent> agent;
};

class PushTestEnv : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/rb-grpc-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    pki_ = std::string(tmpl);
    int rc = -1;
    std::string out =
        RunCommand(rackboot::testing::SourcePath("tests/integration/grpc/make_test_pki.sh") + " " + pki_, &rc);
    ASSERT_EQ(rc, 0) << out;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(pki_); }

  void SetUp() override {
    char tmpl[] = "/tmp/rb-grpc-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    state_dir_ = tmpl;
  }
  void TearDown() override {
    for (auto& b : bootds_) {
      if (b->agent) b->agent->Stop();
    }
    bootds_.clear();
    StopController();
    std::filesystem::remove_all(state_dir_);
  }

  static std::string Pki(const std::string& file) { return pki_ + "/" + file; }

  // Starts (or restarts, on the same port) the controller's push server.
  void StartController(const std::string& cert = "controller", int refresh_seconds = 60) {
    controller::push::PushServerOptions o;
    o.listen = "127.0.0.1:" + std::to_string(port_);
    o.ca_file = Pki("ca.pem");
    o.cert_file = server_cert_dir_.empty() ? Pki(cert + ".pem") : server_cert_dir_ + "/tls.crt";
    o.key_file = server_cert_dir_.empty() ? Pki(cert + ".key") : server_cert_dir_ + "/tls.key";
    o.cert_refresh_seconds = refresh_seconds;
    server_ = std::make_unique<controller::push::AssignmentPushServer>(o, cache_, observer_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    port_ = server_->port();
  }
  void StopController() {
    if (server_) server_->Stop();
    server_.reset();
  }

  Bootd& StartBootd(const std::string& rack = "rack-a", const std::string& cert = "bootd-rack-a",
                    const std::string& snapshot = "") {
    bootds_.push_back(std::make_unique<Bootd>());
    Bootd& b = *bootds_.back();
    StartAgent(b, rack, cert, snapshot);
    return b;
  }
  void StartAgent(Bootd& b, const std::string& rack, const std::string& cert, const std::string& snapshot) {
    bootd::agent::ControllerAgentOptions o;
    o.rack = rack;
    o.address = "127.0.0.1:" + std::to_string(port_);
    o.ca_file = Pki("ca.pem");
    o.cert_file = Pki(cert + ".pem");
    o.key_file = Pki(cert + ".key");
    o.snapshot_path = snapshot;
    o.backoff_base = std::chrono::milliseconds(20);
    o.backoff_cap = std::chrono::milliseconds(200);
    b.agent = std::make_unique<bootd::agent::ControllerAgent>(o, b.store, b.events);
    Status s = b.agent->Start();
    ASSERT_TRUE(s.ok()) << s.message();
  }

  static inline std::string pki_;
  std::string state_dir_;
  std::string server_cert_dir_;  // set to serve certificates from a rotatable copy
  int port_ = 0;
  controller::push::RackSnapshotCache cache_;
  RecordingObserver observer_;
  std::unique_ptr<controller::push::AssignmentPushServer> server_;
  std::vector<std::unique_ptr<Bootd>> bootds_;
};

}  // namespace rackboot::push_test
