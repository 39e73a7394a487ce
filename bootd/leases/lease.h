#pragma once
// Lease: one DHCPv4 address binding (RFC 2131 §4.3).

#include <cstdint>
#include <string>

#include "common/net_address.h"

namespace rackboot::bootd {

enum class LeaseState : uint8_t {
  kOffered = 0,   // reserved for a client between OFFER and REQUEST (not durable)
  kActive = 1,    // ACKed
  kReleased = 2,  // RELEASEd or expired; address free again
  kDeclined = 3,  // DECLINEd: quarantined until quarantine_until_unix
};

struct Lease {
  Ipv4Address ip;
  MacAddress mac;
  std::string client_id;  // option 61, raw bytes; empty = none
  std::string hostname;
  int64_t expires_unix = 0;  // for kDeclined: end of quarantine
  LeaseState state = LeaseState::kActive;
};

}  // namespace rackboot::bootd
