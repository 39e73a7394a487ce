#pragma once
// ControllerAgent: bootd's end of the assignment push (see the design comment
// in proto/rackboot/v1alpha1/assignment.proto). A bootd::Service that
//  - at start, loads the persisted snapshot into the AssignmentStore so bootd
//    serves while the controller is unreachable;
//  - dials the controller over mTLS, says Hello with its applied version,
//    applies updates atomically (ACK) or keeps its state (NACK);
//  - forwards boot events with sequence numbers until they are acknowledged;
//  - records booted callbacks durably and keeps a bootOnce machine that
//    booted from netbooting again before the controller has heard of it
//    (boot_once_guard.h);
//  - reconnects with capped exponential backoff and jitter, re-reading the
//    certificate files for each new connection (rotation without restart);
//  - on a graceful stop, waits (bounded) until the controller has
//    acknowledged the pending boot events, then half-closes its stream, so
//    the controller ends it with OK instead of seeing a cancellation.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "bootd/agent/applied_state.h"
#include "bootd/agent/boot_once_guard.h"
#include "bootd/agent/event_outbox.h"
#include "bootd/assignments/assignment_store.h"
#include "bootd/bootd_context.h"
#include "bootd/events/boot_event_recorder.h"
#include "bootd/service.h"

namespace rackboot::bootd::agent {

struct ControllerAgentOptions {
  std::string rack;
  std::string address;  // host:port of the controller's push endpoint
  std::string ca_file;  // CA that signed the controller's certificate
  std::string cert_file;
  std::string key_file;
  std::string snapshot_path;  // empty: no persistence
  // bootOnce records (boot_once_guard.h), <stateDir>/provisioned-machines.yaml;
  // empty: none (bootd then relies on the controller alone).
  std::string provisioned_path;
  std::string tls_server_name;    // empty: the host part of `address`
  int cert_refresh_seconds = 60;  // FileWatcherCertificateProvider interval
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30000};
  size_t event_buffer = 10000;
};

class AgentStream;

class ControllerAgent : public Service {
 public:
  ControllerAgent(ControllerAgentOptions options, AssignmentStore& store, BootEventRecorder& events);
  ~ControllerAgent() override;

  std::string name() const override { return "controller-agent"; }
  Status Start() override;
  // Waits while connected until every pending boot event is acknowledged.
  DrainReport WaitDrained(std::chrono::steady_clock::time_point deadline) override;
  void Stop() override;

  // Observability (metrics, tests).
  uint64_t applied_version() const;
  bool connected() const { return connected_.load(); }
  uint64_t acks_sent() const { return acks_.load(); }
  uint64_t nacks_sent() const { return nacks_.load(); }
  uint64_t streams_started() const { return streams_.load(); }
  std::string last_nack() const;
  size_t pending_events() const { return shared_->outbox.size(); }
  // The last applied update: full snapshot or delta, and its size.
  struct UpdateSummary {
    uint64_t version = 0;
    bool full_snapshot = false;
    int upserts = 0;
    int removals = 0;
  };
  UpdateSummary last_applied_update() const;
  // How the last stream ended (gRPC status code and message).
  std::pair<int, std::string> last_stream_status() const;

 private:
  friend class AgentStream;
  // Shared with the recorder subscription, which cannot be removed and may
  // outlive the agent.
  struct Shared {
    EventOutbox outbox;
    std::mutex mu;
    AgentStream* stream = nullptr;             // current stream to wake, if any
    std::unique_ptr<BootOnceGuard> boot_once;  // set by Start() when configured
    // Serializes changes to the store by updates and by booted callbacks,
    // so neither overwrites the other's decision with an older one.
    std::mutex apply_mu;
    explicit Shared(size_t cap) : outbox(cap) {}
  };
  // A booted callback: recorded before it is answered, served at once.
  static void OnBooted(Shared& shared, AssignmentStore& store, const BootEvent& event);

  void Run();
  void RunOneStream();
  v1alpha1::Hello MakeHello() const;
  // Applies or rejects one update; fills the reply. Returns false to resync.
  bool HandleUpdate(const v1alpha1::AssignmentUpdate& update, v1alpha1::Ack* reply);

  ControllerAgentOptions options_;
  AssignmentStore& store_;
  BootEventRecorder& events_;
  std::shared_ptr<Shared> shared_;
  std::string boot_id_;

  mutable std::mutex state_mu_;
  AppliedState state_;
  std::string last_nack_;
  UpdateSummary last_update_;
  std::pair<int, std::string> last_status_{0, ""};

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> got_message_{false};
  std::atomic<uint64_t> acks_{0};
  std::atomic<uint64_t> nacks_{0};
  std::atomic<uint64_t> streams_{0};
};

// The agent configured by bootd's `controller:` section, or nullptr when
// bootd runs without a controller (standalone).
std::unique_ptr<Service> MakeControllerAgent(BootdContext& ctx);

}  // namespace rackboot::bootd::agent
