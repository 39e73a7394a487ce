#include "controller/push/push_server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <unistd.h>

#include <chrono>
#include <memory>

#include "common/log.h"
#include "controller/push/event_ack_watermark.h"
#include "controller/push/peer_identity.h"
#include "controller/push/stream_session.h"
#include "rackboot/v1alpha1/assignment.grpc.pb.h"

namespace rackboot::controller::push {

using v1alpha1::BootdMessage;
using v1alpha1::ControllerMessage;

// One bootd stream. Owns itself (deleted in OnDone). gRPC allows one
// outstanding write per stream, so writes are driven from Pump(): a pending
// cumulative EventAck first, then the session's next update.
// Lock order: server mu_ -> reactor mu_ -> cache mutex; EventAckState mu ->
// reactor mu_.
class AssignmentStreamReactor;

// A stream's EventAck watermark, shared with the completions of its events:
// the observer may store an event after bootd has disconnected.
struct EventAckState {
  std::mutex mu;
  EventAckWatermark watermark;
  AssignmentStreamReactor* stream = nullptr;  // null once the stream is done
};

class AssignmentStreamReactor : public grpc::ServerBidiReactor<BootdMessage, ControllerMessage> {
 public:
  AssignmentStreamReactor(AssignmentPushServer& server, grpc::CallbackServerContext* ctx)
      : server_(server), stream_id_(server.NextStreamId()), session_("", stream_id_), peer_(ctx->peer()) {
    acks_->stream = this;
    auto rack = RackFromAuthContext(*ctx->auth_context());
    if (!rack.ok()) {
      log::Warn("push", "stream rejected", {{"peer", peer_}, {"error", rack.error().message}});
      RequestFinish(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, rack.error().message));
      return;
    }
    cert_rack_ = *rack;
    StartRead(&in_);
  }

  // Something changed for our rack (or our turn to write came back).
  void Pump() {
    std::unique_lock<std::mutex> lock(mu_);
    if (writing_ || finish_requested_) return;
    out_.Clear();
    if (pending_event_ack_) {
      out_.mutable_event_ack()->set_sequence(*pending_event_ack_);
      pending_event_ack_.reset();
    } else if (auto u = session_.NextUpdate(server_.cache_)) {
      log::Debug("push", "update sent",
                 {{"rack", cert_rack_},
                  {"version", u->version()},
                  {"full", u->full_snapshot()},
                  {"upserts", u->upserts_size()},
                  {"removals", u->removals_size()}});
      if (auto* m = server_.options_.metrics_observer) m->OnUpdateSent(cert_rack_, u->version());
      *out_.mutable_update() = std::move(*u);
    } else {
      return;
    }
    writing_ = true;
    StartWrite(&out_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // bootd closed its side, or the call was cancelled
      RequestFinish(grpc::Status::OK);
      return;
    }
    switch (in_.kind_case()) {
      case BootdMessage::kHello:
        if (!OnHello(in_.hello())) return;
        break;
      case BootdMessage::kAck:
        if (!registered_) return RequestFinish(ProtocolError("ack before hello"));
        OnAck(in_.ack());
        break;
      case BootdMessage::kEvent:
        if (!registered_) return RequestFinish(ProtocolError("event before hello"));
        OnEvent(in_.event());
        break;
      default: return RequestFinish(ProtocolError("empty message"));
    }
    Pump();
    {
      // A stream being finished reads no more: an operation started after
      // Finish() breaks gRPC's accounting of the call.
      std::lock_guard<std::mutex> lock(mu_);
      if (finish_requested_) return;
    }
    StartRead(&in_);
  }

  // The controller is going away: ends the stream with UNAVAILABLE once the
  // write in flight is done, so bootd reconnects (to the next leader) at its
  // base delay instead of seeing a cancelled call.
  void Close() { RequestFinish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "controller shutting down")); }

  void OnWriteDone(bool ok) override {
    bool finish = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok && !finish_requested_) {
        finish_requested_ = true;
        finish_status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed");
      }
      finish = finish_requested_ && !finish_called_;
      if (finish) finish_called_ = true;
    }
    if (finish) return Finish(finish_status_);
    Pump();
  }

  void OnDone() override {
    {
      // Waits for a completion that is acknowledging on this stream right now.
      std::lock_guard<std::mutex> lock(acks_->mu);
      acks_->stream = nullptr;
    }
    server_.Unregister(this);
    delete this;
  }

 private:
  static grpc::Status ProtocolError(const std::string& what) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, what);
  }

  bool OnHello(const v1alpha1::Hello& hello) {
    if (registered_) {
      RequestFinish(ProtocolError("second hello"));
      return false;
    }
    // The certificate decides the rack; Hello can only agree with it.
    if (hello.rack() != cert_rack_) {
      log::Warn("push", "stream rejected: hello rack differs from certificate",
                {{"peer", peer_}, {"hello_rack", hello.rack()}, {"cert_rack", cert_rack_}});
      RequestFinish(
          grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                       "hello rack '" + hello.rack() + "' does not match certificate rack '" + cert_rack_ + "'"));
      return false;
    }
    boot_id_ = hello.boot_id();
    {
      std::lock_guard<std::mutex> lock(mu_);
      StreamSession fresh(cert_rack_, stream_id_);
      session_ = std::move(fresh);
      session_.OnHello(hello);
    }
    registered_ = true;
    server_.Register(this, cert_rack_);
    log::Info("push", "bootd connected",
              {{"rack", cert_rack_}, {"peer", peer_}, {"last_applied_version", hello.last_applied_version()}});
    return true;
  }

  void OnAck(const v1alpha1::Ack& ack) {
    AckOutcome outcome;
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcome = session_.OnAck(ack);
    }
    if (outcome.kind == AckOutcome::Kind::kAck) {
      server_.observer_.OnAck(cert_rack_, outcome.version);
      if (auto* m = server_.options_.metrics_observer) m->OnAck(cert_rack_, outcome.version);
    } else if (outcome.kind == AckOutcome::Kind::kNack) {
      log::Warn("push", "bootd rejected update",
                {{"rack", cert_rack_}, {"version", outcome.version}, {"error", outcome.error_detail}});
      server_.observer_.OnNack(cert_rack_, outcome.version, outcome.error_detail, outcome.machines);
      if (auto* m = server_.options_.metrics_observer)
        m->OnNack(cert_rack_, outcome.version, outcome.error_detail, outcome.machines);
    }
  }

  // A new event is acknowledged only once the observer has stored it (see
  // EventAckWatermark); a duplicate of a handled one at once.
  void OnEvent(const v1alpha1::BootEvent& event) {
    const uint64_t sequence = event.sequence();
    if (server_.dedup_.Accept(cert_rack_, boot_id_, sequence)) {
      {
        std::lock_guard<std::mutex> lock(acks_->mu);
        acks_->watermark.Started(sequence);
      }
      if (auto* m = server_.options_.metrics_observer) m->OnBootEvent(cert_rack_, event);
      server_.observer_.AcceptBootEvent(cert_rack_, event, [acks = acks_, sequence] {
        std::lock_guard<std::mutex> lock(acks->mu);
        acks->watermark.Finished(sequence);
        if (acks->stream) acks->stream->QueueEventAckLocked();
      });
    }
    std::lock_guard<std::mutex> lock(acks_->mu);
    acks_->watermark.Seen(sequence);
    QueueEventAckLocked();
  }

  // Called with acks_->mu held.
  void QueueEventAckLocked() {
    auto next = acks_->watermark.Next();
    if (!next) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!pending_event_ack_ || *pending_event_ack_ < *next) pending_event_ack_ = *next;
    }
    Pump();
  }

  void RequestFinish(grpc::Status status) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finish_requested_) return;
      finish_requested_ = true;
      finish_status_ = status;
      if (writing_) return;  // OnWriteDone finishes
      finish_called_ = true;
    }
    Finish(status);  // may lead to OnDone: touch nothing after this
  }

  AssignmentPushServer& server_;
  const std::string stream_id_;
  std::mutex mu_;
  StreamSession session_;
  std::string peer_;
  std::string cert_rack_;
  std::string boot_id_;
  bool registered_ = false;  // touched only from the read path
  BootdMessage in_;
  ControllerMessage out_;
  bool writing_ = false;
  bool finish_requested_ = false;
  bool finish_called_ = false;
  grpc::Status finish_status_;
  std::optional<uint64_t> pending_event_ack_;
  std::shared_ptr<EventAckState> acks_ = std::make_shared<EventAckState>();
};

class AssignmentPushServer::Service : public v1alpha1::AssignmentService::CallbackService {
 public:
  explicit Service(AssignmentPushServer& server) : server_(server) {}
  grpc::ServerBidiReactor<BootdMessage, ControllerMessage>* StreamAssignments(
      grpc::CallbackServerContext* ctx) override {
    {
      std::lock_guard<std::mutex> lock(server_.mu_);
      ++server_.live_reactors_;
    }
    return new AssignmentStreamReactor(server_, ctx);
  }

 private:
  AssignmentPushServer& server_;
};

AssignmentPushServer::AssignmentPushServer(PushServerOptions options, RackSnapshotCache& cache, PushObserver& observer)
    : options_(std::move(options)), cache_(cache), observer_(observer) {}

AssignmentPushServer::~AssignmentPushServer() {
  Stop();
}

Status AssignmentPushServer::Start() {
  for (const auto* f : {&options_.ca_file, &options_.cert_file, &options_.key_file}) {
    if (f->empty() || access(f->c_str(), R_OK) != 0) return Error{"cannot read TLS file '" + *f + "'"};
  }
  // Re-reads the files every cert_refresh_seconds: rotation without restart.
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      options_.key_file, options_.cert_file, options_.ca_file, options_.cert_refresh_seconds);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  // TLS 1.2 is gRPC's minimum (grpc_tls_version TLS1_2..TLS1_3); 1.51 has no
  // knob to lower it, and tests/integration/grpc checks a TLS 1.1 client fails.

  // One credentials object for both listeners: TlsServerCredentials() hands
  // the options' C object to the credentials it makes, so a second call on
  // the same options made two owners of it, and the second one's release
  // aborted the process at shutdown (gRPC's "assertion failed: prior > 0").
  const std::shared_ptr<grpc::ServerCredentials> credentials = grpc::experimental::TlsServerCredentials(tls);
  service_ = std::make_unique<Service>(*this);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen, credentials, &port_);
  if (!options_.unix_socket.empty()) {
    unlink(options_.unix_socket.c_str());  // a stale socket of a previous run refuses the bind
    builder.AddListeningPort("unix:" + options_.unix_socket, credentials);
  }
  builder.RegisterService(service_.get());
  // Detect dead bootds (NAT drops, power loss) and let bootd ping us.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) return Error{"cannot listen on " + options_.listen};
  cache_.SetChangeListener([this](const std::string& rack) { WakeRack(rack); });
  log::Info("push", "listening", {{"address", options_.listen}, {"port", port_}, {"unix", options_.unix_socket}});
  return Status::Ok();
}

void AssignmentPushServer::Stop() {
  if (!server_) return;
  cache_.SetChangeListener(nullptr);
  size_t closed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [r, rack] : streams_) r->Close();
    closed = streams_.size();
  }
  // Streams that have not said Hello yet, and any that do not finish in
  // time, are cancelled by the shutdown's deadline.
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  {
    std::unique_lock<std::mutex> lock(mu_);
    all_done_.wait(lock, [this] { return live_reactors_ == 0; });
  }
  server_->Wait();
  server_.reset();
  log::Info("push", "stopped", {{"streams_closed", closed}});
}

size_t AssignmentPushServer::stream_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return streams_.size();
}

void AssignmentPushServer::Register(AssignmentStreamReactor* r, const std::string& rack) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_[r] = rack;
  if (options_.metrics_observer) options_.metrics_observer->OnStreamOpened(rack);
}

void AssignmentPushServer::Unregister(AssignmentStreamReactor* r) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = streams_.find(r); it != streams_.end()) {
    if (options_.metrics_observer) options_.metrics_observer->OnStreamClosed(it->second);
    streams_.erase(it);
  }
  --live_reactors_;
  all_done_.notify_all();
}

void AssignmentPushServer::WakeRack(const std::string& rack) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [r, r_rack] : streams_) {
    if (r_rack == rack) r->Pump();
  }
}

std::string AssignmentPushServer::NextStreamId() {
  return "s" + std::to_string(next_stream_id_++);
}

}  // namespace rackboot::controller::push
