#pragma once
// TftpTransferObserver: an optional hook TftpService calls when a transfer
// completes (metrics; see bootd/metrics/). Called on the service's epoll
// thread: must be quick. Failed and refused transfers are in TftpCounters.

#include <cstdint>

namespace rackboot::bootd::tftp {

class TftpTransferObserver {
 public:
  virtual ~TftpTransferObserver() = default;
  virtual void OnTransferComplete(uint64_t bytes, double seconds) = 0;
};

}  // namespace rackboot::bootd::tftp
