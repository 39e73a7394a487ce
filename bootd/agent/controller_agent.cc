#include "bootd/agent/controller_agent.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <random>

#include "bootd/agent/assignment_conversion.h"
#include "bootd/agent/reconnect_backoff.h"
#include "bootd/agent/snapshot_file.h"
#include "common/log.h"
#include "common/version.h"
#include "common/yaml_config.h"
#include "rackboot/v1alpha1/assignment.grpc.pb.h"

namespace rackboot::bootd::agent {

using v1alpha1::BootdMessage;
using v1alpha1::ControllerMessage;

// One stream to the controller. gRPC allows one outstanding write, so writes
// go through Pump(): queued control messages (Hello, ACK/NACK) first, then the
// next boot event the controller has not seen on this stream.
class AgentStream : public grpc::ClientBidiReactor<BootdMessage, ControllerMessage> {
 public:
  AgentStream(ControllerAgent& agent, v1alpha1::AssignmentService::Stub* stub) : agent_(agent) {
    stub->async()->StreamAssignments(&ctx_, this);
  }

  void Begin(const v1alpha1::Hello& hello) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      BootdMessage m;
      *m.mutable_hello() = hello;
      control_.push_back(std::move(m));
    }
    StartRead(&in_);
    Pump();
    StartCall();
  }

  // Half-closes the stream once the write in flight is done: the controller
  // sees the end of our messages and finishes the call with OK.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
      done_cv_.notify_all();
    }
    Pump();
  }

  // Until the call is over. After Close(), the controller gets a moment to
  // finish it; past that the call is cancelled.
  grpc::Status Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return done_ || closing_; });
    if (!done_cv_.wait_for(lock, kCloseTimeout, [this] { return done_; })) {
      lock.unlock();
      ctx_.TryCancel();
      lock.lock();
      done_cv_.wait(lock, [this] { return done_; });
    }
    return status_;
  }

  void Pump() {
    std::lock_guard<std::mutex> lock(mu_);
    if (writing_ || done_ || broken_ || writes_done_) return;
    if (!control_.empty()) {
      out_ = std::move(control_.front());
      control_.pop_front();
    } else if (closing_) {
      writes_done_ = true;
      StartWritesDone();
      return;
    } else if (auto e = agent_.shared_->outbox.NextAfter(sent_through_)) {
      sent_through_ = e->sequence();
      out_.Clear();
      *out_.mutable_event() = std::move(*e);
    } else {
      return;
    }
    writing_ = true;
    StartWrite(&out_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the call is over; OnDone follows
    agent_.connected_ = true;
    agent_.got_message_ = true;
    if (in_.has_update()) {
      BootdMessage reply;
      if (!agent_.HandleUpdate(in_.update(), reply.mutable_ack())) {
        ctx_.TryCancel();  // resync through a new Hello
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      control_.push_back(std::move(reply));
    } else if (in_.has_event_ack()) {
      agent_.shared_->outbox.Ack(in_.event_ack().sequence());
    }
    StartRead(&in_);
    Pump();
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok) broken_ = true;
    }
    if (ok) Pump();
  }

  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    status_ = status;
    done_cv_.notify_all();
  }

 private:
  ControllerAgent& agent_;
  static constexpr std::chrono::seconds kCloseTimeout{2};
  grpc::ClientContext ctx_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  bool closing_ = false;
  bool writes_done_ = false;
  bool writing_ = false;
  bool broken_ = false;
  grpc::Status status_;
  std::deque<BootdMessage> control_;
  uint64_t sent_through_ = 0;  // events are resent from scratch on every stream
  BootdMessage out_;
  ControllerMessage in_;
};

namespace {

std::string RandomBootId() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

std::shared_ptr<grpc::Channel> MakeChannel(const ControllerAgentOptions& o) {
  // A new provider per connection attempt reads the files afresh, and the
  // watcher refreshes them for long-lived connections: rotation needs no restart.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      o.key_file, o.cert_file, o.ca_file, o.cert_refresh_seconds);
  grpc::experimental::TlsChannelCredentialsOptions tls;
  tls.set_certificate_provider(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_verify_server_certs(true);
  grpc::ChannelArguments args;
  if (!o.tls_server_name.empty()) args.SetSslTargetNameOverride(o.tls_server_name);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetMaxReceiveMessageSize(256 << 20);  // a full snapshot of a large rack
  // Our own backoff decides when to retry; each attempt is a fresh channel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(o.address, grpc::experimental::TlsCredentials(tls), args);
}

}  // namespace

ControllerAgent::ControllerAgent(ControllerAgentOptions options, AssignmentStore& store, BootEventRecorder& events)
    : options_(std::move(options)),
      store_(store),
      events_(events),
      shared_(std::make_shared<Shared>(options_.event_buffer)),
      boot_id_(RandomBootId()) {
  state_.rack = options_.rack;
}

ControllerAgent::~ControllerAgent() {
  Stop();
}

Status ControllerAgent::Start() {
  if (options_.rack.empty()) return Error{"controller agent needs the rack name"};
  if (options_.address.empty()) return Error{"controller.address is empty"};
  for (const auto* f : {&options_.ca_file, &options_.cert_file, &options_.key_file}) {
    if (f->empty() || access(f->c_str(), R_OK) != 0) return Error{"cannot read TLS file '" + *f + "'"};
  }
  if (!options_.provisioned_path.empty()) {
    try {
      shared_->boot_once = std::make_unique<BootOnceGuard>(options_.provisioned_path);
    } catch (const ConfigError& e) {
      return Error{std::string("provisioned records: ") + e.what()};
    }
  }
  std::vector<BootEvent> replay;
  if (!options_.snapshot_path.empty() && access(options_.snapshot_path.c_str(), F_OK) == 0) {
    auto snap = ReadSnapshotFile(options_.snapshot_path);
    std::vector<Assignment> assignments;
    Result<AppliedState> state =
        snap.ok() ? StateFromSnapshot(*snap, options_.rack, &assignments) : Result<AppliedState>(snap.error());
    if (state.ok()) {
      if (shared_->boot_once) {
        shared_->boot_once->Apply(&assignments);
        std::vector<v1alpha1::HostAssignment> pushed;
        for (const auto& [name, a] : state->assignments) pushed.push_back(a);
        replay = shared_->boot_once->Unacknowledged(pushed);
      }
      store_.ReplaceAll(std::move(assignments));
      std::lock_guard<std::mutex> lock(state_mu_);
      state_ = std::move(state.value());
      log::Info("agent", "serving from persisted snapshot",
                {{"path", options_.snapshot_path}, {"version", state_.version}, {"machines", store_.size()}});
    } else {
      // Never serve a snapshot we cannot trust; wait for the controller.
      log::Warn("agent", "ignoring persisted snapshot", {{"error", state.error().message}});
    }
  }
  std::weak_ptr<Shared> weak = shared_;
  events_.Subscribe([weak, &store = store_](const BootEvent& e) {
    auto shared = weak.lock();
    if (!shared) return;
    if (shared->boot_once && e.stage == BootStage::kBooted) OnBooted(*shared, store, e);
    shared->outbox.Push(BootEventToProto(e));
    std::lock_guard<std::mutex> lock(shared->mu);
    if (shared->stream) shared->stream->Pump();
  });
  // Events recorded before we subscribed (the outbox drops repeats by sequence).
  for (const auto& e : events_.EventsSince(0)) shared_->outbox.Push(BootEventToProto(e));
  // Booted callbacks a previous bootd process took but the controller still
  // does not reflect: recorded again, so they go out on the next stream.
  for (BootEvent& e : replay) {
    log::Info("agent", "booted callback sent again",
              {{"machine", e.machine_name}, {"mac", e.mac.ToString()}, {"reprovision", e.reprovision}});
    events_.Record(std::move(e));
  }
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

DrainReport ControllerAgent::WaitDrained(std::chrono::steady_clock::time_point deadline) {
  const size_t pending = shared_->outbox.size();
  if (pending == 0) return {};
  shared_->outbox.WaitEmpty(deadline, [this] { return !connected_.load(); });
  const size_t left = shared_->outbox.size();
  return {pending > left ? pending - left : 0, left};
}

void ControllerAgent::Stop() {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->stream) shared_->stream->Close();
  }
  if (thread_.joinable()) thread_.join();
}

void ControllerAgent::Run() {
  ReconnectBackoff backoff(options_.backoff_base, options_.backoff_cap);
  std::mt19937_64 rng(std::random_device{}());
  while (true) {
    {
      std::lock_guard<std::mutex> lock(run_mu_);
      if (stopping_) return;
    }
    got_message_ = false;
    RunOneStream();
    if (got_message_) backoff.Reset();  // the controller answered: start over at the base delay
    auto delay = backoff.Next(rng);
    std::unique_lock<std::mutex> lock(run_mu_);
    if (run_cv_.wait_for(lock, delay, [this] { return stopping_; })) return;
  }
}

void ControllerAgent::RunOneStream() {
  ++streams_;
  auto channel = MakeChannel(options_);
  auto stub = v1alpha1::AssignmentService::NewStub(channel);
  auto stream = std::make_unique<AgentStream>(*this, stub.get());
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stream = stream.get();
  }
  stream->Begin(MakeHello());
  bool stopping = false;
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping = stopping_;
  }
  if (stopping) stream->Close();
  grpc::Status status = stream->Wait();
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stream = nullptr;
  }
  connected_ = false;
  shared_->outbox.Wake();  // a drain waiting for acknowledgements stops waiting
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    last_status_ = {static_cast<int>(status.error_code()), status.error_message()};
  }
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping = stopping_;
  }
  const log::Level level = stopping && status.ok() ? log::Level::kInfo : log::Level::kWarn;
  if (log::Enabled(level)) {
    log::Write(level, "agent", "controller stream ended",
               {{"address", options_.address},
                {"code", static_cast<int>(status.error_code())},
                {"error", status.error_message()}});
  }
}

v1alpha1::Hello ControllerAgent::MakeHello() const {
  v1alpha1::Hello h;
  std::lock_guard<std::mutex> lock(state_mu_);
  h.set_rack(options_.rack);
  h.set_last_applied_version(state_.version);
  h.set_last_applied_epoch(state_.epoch);
  h.set_bootd_version(kVersion);
  h.set_boot_id(boot_id_);
  return h;
}

bool ControllerAgent::HandleUpdate(const v1alpha1::AssignmentUpdate& update, v1alpha1::Ack* reply) {
  std::lock_guard<std::mutex> lock(state_mu_);
  UpdateDecision d = DecideUpdate(state_, update);
  reply->set_nonce(update.nonce());
  switch (d.kind) {
    case UpdateDecision::Kind::kResync:
      log::Warn("agent", "delta does not fit; resyncing", {{"error", d.error_detail}});
      return false;
    case UpdateDecision::Kind::kNack:
      reply->set_version(state_.version);
      reply->set_error_detail(d.error_detail);
      last_nack_ = d.error_detail;
      ++nacks_;
      log::Warn("agent", "update rejected; keeping previous state",
                {{"version", update.version()}, {"kept_version", state_.version}, {"error", d.error_detail}});
      return true;
    case UpdateDecision::Kind::kApply: break;
  }
  {
    std::lock_guard<std::mutex> apply(shared_->apply_mu);
    if (BootOnceGuard* guard = shared_->boot_once.get()) {
      Result<bool> forgot = d.full_snapshot ? guard->KeepOnly(d.upserts) : guard->Forget(d.removals);
      if (!forgot.ok()) log::Error("agent", "cannot update provisioned records", {{"error", forgot.error().message}});
      guard->Apply(&d.upserts);
    }
    if (d.full_snapshot) {
      store_.ReplaceAll(std::move(d.upserts));
    } else {
      store_.Apply(d.removals, std::move(d.upserts));  // one swap: readers never see half a delta
    }
  }
  CommitUpdate(state_, update);
  if (!options_.snapshot_path.empty()) {
    // Serving continues from memory if the disk fails; the next update retries.
    if (Status s = WriteSnapshotFile(options_.snapshot_path, state_.ToSnapshot()); !s.ok()) {
      log::Error("agent", "cannot persist snapshot", {{"error", s.message()}});
    }
  }
  reply->set_version(state_.version);
  last_update_ = UpdateSummary{update.version(), update.full_snapshot(), update.upserts_size(), update.removals_size()};
  ++acks_;
  log::Debug("agent", "update applied",
             {{"version", update.version()},
              {"full", update.full_snapshot()},
              {"upserts", update.upserts_size()},
              {"removals", update.removals_size()}});
  return true;
}

uint64_t ControllerAgent::applied_version() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return state_.version;
}

ControllerAgent::UpdateSummary ControllerAgent::last_applied_update() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return last_update_;
}

std::pair<int, std::string> ControllerAgent::last_stream_status() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return last_status_;
}

std::string ControllerAgent::last_nack() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return last_nack_;
}

void ControllerAgent::OnBooted(Shared& shared, AssignmentStore& store, const BootEvent& e) {
  Result<bool> changed = shared.boot_once->Record(e);
  if (!changed.ok()) {
    log::Error("agent",
               "booted callback not recorded: until the controller has it, a bootOnce machine would install "
               "again after a bootd restart",
               {{"machine", e.machine_name}, {"file", shared.boot_once->path()}, {"error", changed.error().message}});
    return;
  }
  if (!*changed) return;
  std::lock_guard<std::mutex> apply(shared.apply_mu);
  AssignmentStore::Ptr served = store.FindByName(e.machine_name);
  if (!served) return;
  Assignment now = shared.boot_once->Applied(*served);
  if (now.allow_pxe == served->allow_pxe) return;
  store.Apply({}, {std::move(now)});
  log::Info("agent", "bootOnce: booted recorded, no boot file from now on",
            {{"machine", e.machine_name}, {"reprovision", e.reprovision}});
}

std::unique_ptr<Service> MakeControllerAgent(BootdContext& ctx) {
  const auto& c = ctx.config.controller;
  if (!c.enabled) return nullptr;
  ControllerAgentOptions o;
  o.rack = ctx.config.rack;
  o.address = c.address;
  o.ca_file = c.ca_file;
  o.cert_file = c.cert_file;
  o.key_file = c.key_file;
  o.tls_server_name = c.server_name;
  o.snapshot_path = c.snapshot_path;
  if (!ctx.config.state_dir.empty()) o.provisioned_path = ctx.config.state_dir + "/provisioned-machines.yaml";
  return std::make_unique<ControllerAgent>(std::move(o), ctx.assignments, ctx.events);
}

}  // namespace rackboot::bootd::agent
