#include "bootd/http/config_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

namespace rackboot::bootd::http {

ConfigTokenSigner::ConfigTokenSigner(std::string key, int64_t ttl_seconds)
    : key_(std::move(key)), ttl_seconds_(ttl_seconds) {}

ConfigTokenSigner ConfigTokenSigner::WithRandomKey(int64_t ttl_seconds) {
  unsigned char buf[32];
  if (RAND_bytes(buf, sizeof buf) != 1) {
    // Start-up only; without randomness there is no safe key.
    throw std::runtime_error("RAND_bytes failed");
  }
  return ConfigTokenSigner(std::string(reinterpret_cast<char*>(buf), sizeof buf), ttl_seconds);
}

std::string ConfigTokenSigner::Mac(const MacAddress& mac, Ipv4Address ip, int64_t expiry) const {
  const std::string msg =
      "rackboot-config-token-v1|" + mac.ToString(':') + "|" + ip.ToString() + "|" + std::to_string(expiry);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < 16 && i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

std::string ConfigTokenSigner::Mint(const MacAddress& mac, Ipv4Address ip, int64_t now_unix) const {
  const int64_t expiry = now_unix + ttl_seconds_;
  return "v1." + std::to_string(expiry) + "." + Mac(mac, ip, expiry);
}

Status ConfigTokenSigner::Verify(std::string_view token, const MacAddress& mac, Ipv4Address ip,
                                 int64_t now_unix) const {
  if (token.rfind("v1.", 0) != 0) return Error{"token has an unknown format"};
  std::string_view rest = token.substr(3);
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return Error{"token has an unknown format"};
  int64_t expiry = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + dot, expiry);
  if (ec != std::errc() || p != rest.data() + dot) return Error{"token has an unknown format"};
  const std::string expected = Mac(mac, ip, expiry);
  std::string_view given = rest.substr(dot + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return Error{"token does not match this machine and address"};
  }
  if (now_unix > expiry) return Error{"token expired"};
  if (expiry - now_unix > ttl_seconds_) return Error{"token expiry beyond the TTL"};
  return Status::Ok();
}

}  // namespace rackboot::bootd::http
