#pragma once
// TftpService: bootd's read-only TFTP server (RFC 1350 + RFC 2347/2348/
// 2349/7440). The I/O layer around the pure pieces (packet.h, options.h,
// read_transfer.h, path_confinement.h):
//  - one UDP socket on the configured listen address receives requests
//    (IP_PKTINFO tells which local address was asked, so replies come from
//    that address even when listening on 0.0.0.0);
//  - every transfer gets its own ephemeral socket, connect()ed to the client
//    (RFC 1350 §4 TIDs: the kernel drops datagrams from other TIDs);
//  - kMinLoops epoll loop threads (2 per core on bigger machines, at most
//    kMaxLoops) drive the transfer sockets and their deadlines; the first
//    loop also reads the listening socket and hands each new client (TID)
//    to the loop with the fewest transfers (hashing clients to loops put
//    ~12 of 200 clients on the fullest of 32 loops, twice the mean, and
//    that loop set the p99);
//  - files are read with pread; rendered files come from a
//    VirtualFileProvider first;
//  - at most max_transfers at once; past that, requests wait in a FIFO
//    queue and are never answered with ERROR (transfer_admission.h: a PXE
//    ROM fails on ERROR but retransmits an unanswered RRQ); a retransmitted
//    RRQ from a client that already has a transfer or a queued request is
//    ignored (the transfer's timer answers it).
// When a transfer completes it records a boot event (kBootFile, or kScript
// for rendered configs) with bytes and duration.

#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bootd/assignments/assignment_store.h"
#include "bootd/config/bootd_config.h"
#include "bootd/events/boot_event_recorder.h"
#include "bootd/service.h"
#include "bootd/tftp/packet.h"
#include "bootd/tftp/tftp_transfer_observer.h"
#include "bootd/tftp/transfer_admission.h"
#include "bootd/tftp/virtual_file_provider.h"
#include "common/log_throttle.h"
#include "common/net_address.h"

namespace rackboot::bootd::tftp {

struct TftpCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> refused{0};  // WRQ, bad path, not found (never for being busy)
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> failed{0};   // timed out or read error
  std::atomic<uint64_t> aborted{0};  // client sent ERROR (e.g. tsize probe)
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> retransmissions{0};
  std::atomic<uint64_t> ignored_draining{0};  // requests after SIGTERM: unanswered, the client retries elsewhere
  // At capacity (transfer_admission.h): requests queued, requests left
  // unanswered because the queue was full (the client retransmits), queued
  // requests whose client stopped asking.
  std::atomic<uint64_t> queued{0};
  std::atomic<uint64_t> ignored{0};
  std::atomic<uint64_t> queue_expired{0};
};

// A request handed from the listening loop to the loop that owns its client,
// or held while the server is at capacity.
struct PendingRequest {
  Request request;
  sockaddr_in client;
  in_addr local;
};

class TftpService : public Service {
 public:
  // `events` and `assignments` may be null (tests); `files` may be null
  // (nothing virtual).
  TftpService(TftpConfig config, BootEventRecorder* events, const AssignmentStore* assignments,
              std::shared_ptr<VirtualFileProvider> files);
  ~TftpService() override;

  std::string name() const override { return "tftp"; }
  Status Start() override;
  // New read requests go unanswered (the firmware retransmits, to this
  // server once it is back or to its partner); running transfers go on.
  void BeginDrain() override;
  DrainReport WaitDrained(std::chrono::steady_clock::time_point deadline) override;
  void Stop() override;

  // The bound port (useful with "127.0.0.1:0" in tests).
  uint16_t port() const { return port_; }
  const TftpCounters& counters() const { return counters_; }
  // Optional metrics hook; set before Start(), not owned.
  void SetObserver(TftpTransferObserver* observer) { observer_ = observer; }
  // Optional: the MAC of a client IP that no assignment has statically (the
  // DHCP lease table), so boot records of dynamically addressed machines
  // carry their MAC. Set before Start(); called on the loop threads.
  using MacResolver = std::function<std::optional<MacAddress>(Ipv4Address)>;
  void SetMacResolver(MacResolver resolver) { mac_resolver_ = std::move(resolver); }
  size_t active_transfers() const { return active_.load(); }
  size_t queued_requests() const { return queued_now_.load(); }

 private:
  class Loop;
  TftpConfig config_;
  BootEventRecorder* events_;
  const AssignmentStore* assignments_;
  std::shared_ptr<VirtualFileProvider> files_;
  TftpCounters counters_;
  TftpTransferObserver* observer_ = nullptr;
  MacResolver mac_resolver_;
  std::atomic<size_t> active_{0};
  std::atomic<bool> draining_{false};
  size_t active_at_drain_ = 0;
  std::mutex drain_mu_;
  std::condition_variable drained_;  // notified when the last transfer ends while draining
  void TransferEnded();
  uint16_t port_ = 0;
  static constexpr size_t kMinLoops = 64;
  static constexpr size_t kMaxLoops = 128;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;

  // From the listening loop: the loop for a new request, the one with the
  // fewest transfers; null when the request does not start now: a
  // retransmitted RRQ, or at capacity (then `request` is queued or ignored).
  Loop* Assign(uint64_t client_key, const PendingRequest& request);
  // The client's transfer on `loop` ended, or its request did not start one:
  // starts the next queued request, if any.
  void Release(uint64_t client_key, Loop* loop);
  // The least loaded loop, with one more assigned; clients_mu_ held.
  Loop* PickLoop();
  void NoteAtCapacity(const char* what);
  std::mutex clients_mu_;
  std::unordered_map<uint64_t, Loop*> clients_;           // clients with a transfer (or one being handed to a loop)
  TransferAdmission admission_;                           // guarded by clients_mu_
  std::unordered_map<uint64_t, PendingRequest> waiting_;  // queued requests; guarded by clients_mu_
  std::atomic<size_t> queued_now_{0};
  log::LogThrottle capacity_log_{10000};
};

}  // namespace rackboot::bootd::tftp
