#include "bootd/dhcp/drop_reason.h"

namespace rackboot::bootd::dhcp {

const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kNone: return "none";
    case DropReason::kTooShort: return "too_short";
    case DropReason::kBadMagicCookie: return "bad_magic_cookie";
    case DropReason::kBadHlen: return "bad_hlen";
    case DropReason::kOptionTruncated: return "option_truncated";
    case DropReason::kOptionPastEnd: return "option_past_end";
    case DropReason::kBadOptionLength: return "bad_option_length";
    case DropReason::kBadOverload: return "bad_overload";
    case DropReason::kNotBootRequest: return "not_boot_request";
    case DropReason::kNoMessageType: return "no_message_type";
    case DropReason::kUnsupportedMessageType: return "unsupported_message_type";
    case DropReason::kUnsupportedHardware: return "unsupported_hardware";
    case DropReason::kOtherServer: return "other_server";
    case DropReason::kUnknownClient: return "unknown_client";
    case DropReason::kPxeDisabled: return "pxe_disabled";
    case DropReason::kNotPxeClient: return "not_pxe_client";
    case DropReason::kPoolExhausted: return "pool_exhausted";
    case DropReason::kNoLease: return "no_lease";
    case DropReason::kLeaseStoreError: return "lease_store_error";
    case DropReason::kRateLimited: return "rate_limited";
    case DropReason::kQueueOverflow: return "queue_overflow";
    case DropReason::kReplyTooBig: return "reply_too_big";
    case DropReason::kStale: return "stale";
    case DropReason::kAddressInUse: return "address_in_use";
    case DropReason::kCount: break;
  }
  return "unknown";
}

uint64_t DropCounters::Total() const {
  uint64_t total = 0;
  for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
  return total;
}

}  // namespace rackboot::bootd::dhcp
