#pragma once
// TftpTransferObserver: an optional hook TftpService calls when a transfer
// completes (metrics; see bootd/metrics/). Called on any of the service's
// loop threads, concurrently: must be quick and thread-safe. Failed and refused transfers are in TftpCounters.

#include <cstdint>

namespace rackboot::bootd::tftp {

class TftpTransferObserver {
 public:
  virtual ~TftpTransferObserver() = default;
  virtual void OnTransferComplete(uint64_t bytes, double seconds) = 0;
};

}  // namespace rackboot::bootd::tftp
