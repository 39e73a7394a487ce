#pragma once
// Tokens for secret install configs: HMAC-SHA256 over (MAC, IPv4, expiry)
// with a per-bootd key. A token is minted into the machine's boot script and
// is only accepted from that MAC path and that source address until it
// expires. Format: "v1.<expiry unix seconds>.<32 hex digits>" (the MAC is
// truncated to 128 bits, enough against forgery within a TTL).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/net_address.h"
#include "common/result.h"

namespace rackboot::bootd::http {

class ConfigTokenSigner {
 public:
  ConfigTokenSigner(std::string key, int64_t ttl_seconds);
  // A fresh random key: tokens do not survive a restart, which only means a
  // machine mid-install re-fetches its boot script.
  static ConfigTokenSigner WithRandomKey(int64_t ttl_seconds);

  std::string Mint(const MacAddress& mac, Ipv4Address ip, int64_t now_unix) const;
  Status Verify(std::string_view token, const MacAddress& mac, Ipv4Address ip, int64_t now_unix) const;
  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  std::string Mac(const MacAddress& mac, Ipv4Address ip, int64_t expiry) const;
  std::string key_;
  int64_t ttl_seconds_;
};

}  // namespace rackboot::bootd::http
