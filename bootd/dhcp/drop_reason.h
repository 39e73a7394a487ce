#pragma once
// DropReason: why bootd did not answer a packet. Every malformed or ignored
// packet is counted under one of these (later exported as
// rackboot_dhcp_dropped_packets_total{reason}); names are stable label values.

#include <array>
#include <atomic>
#include <cstdint>

namespace rackboot::bootd::dhcp {

enum class DropReason : uint8_t {
  kNone = 0,
  // Decoder: the bytes are not a well-formed DHCP message.
  kTooShort,
  kBadMagicCookie,
  kBadHlen,          // hlen > 16
  kOptionTruncated,  // code or length byte past the end
  kOptionPastEnd,    // length runs past the end of its field
  kBadOptionLength,  // e.g. option 53 not 1 byte, 97 not 17 bytes
  kBadOverload,      // option 52 value not 1..3
  // Decision: well-formed but not for us (or not answerable).
  kNotBootRequest,
  kNoMessageType,
  kUnsupportedMessageType,
  kUnsupportedHardware,  // not Ethernet / hlen != 6
  kOtherServer,          // REQUEST/DECLINE/RELEASE for another server id
  kUnknownClient,        // proxy mode: no assignment
  kPxeDisabled,          // proxy mode: allow_pxe=false
  kNotPxeClient,         // proxy mode: not a PXE/HTTP/iPXE client
  kPoolExhausted,
  kNoLease,  // RELEASE/DECLINE for an address we did not lease
  kLeaseStoreError,
  kRateLimited,
  kQueueOverflow,
  kReplyTooBig,
  kStale,         // waited in the queue past dhcp.staleRequestMillis: the client has retransmitted
  kAddressInUse,  // every address offered in this batch answered the ping probe
  kCount,
};

const char* DropReasonName(DropReason reason);

// Lock-free per-reason counters, readable by the metrics endpoint.
class DropCounters {
 public:
  void Add(DropReason reason) { counts_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t Get(DropReason reason) const { return counts_[static_cast<size_t>(reason)].load(std::memory_order_relaxed); }
  uint64_t Total() const;

 private:
  std::array<std::atomic<uint64_t>, static_cast<size_t>(DropReason::kCount)> counts_{};
};

}  // namespace rackboot::bootd::dhcp
