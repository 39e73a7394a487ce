#pragma once
// AssignmentPushServer: the gRPC side of the controller -> bootd push
// (proto/rackboot/v1alpha1/assignment.proto). mTLS only: bootd must present
// a client certificate from our CA whose identity names its rack; TLS 1.2 is
// the floor (gRPC's default minimum). Certificates are re-read from their
// files periodically (FileWatcherCertificateProvider), so rotation needs no
// restart.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "controller/push/event_deduplicator.h"
#include "controller/push/push_observer.h"
#include "controller/push/rack_snapshot_cache.h"

namespace grpc {
class Server;
}

namespace rackboot::controller::push {

struct PushServerOptions {
  std::string listen = "0.0.0.0:9443";  // "127.0.0.1:0" picks a free port
  std::string unix_socket;              // optional second listener (path), same mTLS
  std::string ca_file;                  // CA that signs bootd client certificates
  std::string cert_file;                // server certificate chain (PEM)
  std::string key_file;
  int cert_refresh_seconds = 60;  // how often rotated files are picked up
  // Told everything the main observer is told, plus stream and update
  // notifications (metrics); optional, not owned.
  PushObserver* metrics_observer = nullptr;
};

class AssignmentStreamReactor;

class AssignmentPushServer {
 public:
  AssignmentPushServer(PushServerOptions options, RackSnapshotCache& cache, PushObserver& observer);
  ~AssignmentPushServer();
  AssignmentPushServer(const AssignmentPushServer&) = delete;
  AssignmentPushServer& operator=(const AssignmentPushServer&) = delete;

  Status Start();
  int port() const { return port_; }
  // Cancels every stream and waits for them to end.
  void Stop();
  size_t stream_count() const;

 private:
  friend class AssignmentStreamReactor;
  class Service;

  void Register(AssignmentStreamReactor* r, const std::string& rack);
  void Unregister(AssignmentStreamReactor* r);
  void WakeRack(const std::string& rack);
  std::string NextStreamId();

  PushServerOptions options_;
  RackSnapshotCache& cache_;
  PushObserver& observer_;
  EventDeduplicator dedup_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<uint64_t> next_stream_id_{1};
  mutable std::mutex mu_;
  std::condition_variable all_done_;
  size_t live_reactors_ = 0;
  std::map<AssignmentStreamReactor*, std::string> streams_;  // registered after Hello
};

}  // namespace rackboot::controller::push
