#include "bootd/dhcp/option_codes.h"

namespace rackboot::bootd::dhcp {

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kDiscover: return "discover";
    case MessageType::kOffer: return "offer";
    case MessageType::kRequest: return "request";
    case MessageType::kDecline: return "decline";
    case MessageType::kAck: return "ack";
    case MessageType::kNak: return "nak";
    case MessageType::kRelease: return "release";
    case MessageType::kInform: return "inform";
  }
  return "unknown";
}

}  // namespace rackboot::bootd::dhcp
