#pragma once
// RenderedScriptCache: recently rendered per-MAC boot scripts (iPXE, GRUB,
// pxelinux), so a machine (or a benchmark) fetching its script again does
// not pay for template rendering and token minting every time.
//
// Safety rules, all part of the key or the entry:
//  - the client IPv4 address is in the key: a script carries a config token
//    bound to (MAC, source IP), so one client's script is never served to
//    another address;
//  - the AssignmentStore revision is in the key: any change to a machine,
//    profile or the default assignment makes every older entry unreachable;
//  - an entry lives `ttl_seconds` from its rendering: the token in it was
//    minted then, so a cached script's token always has at least
//    (token TTL - cache TTL) of validity left.
// Bounded: when full, the cache is cleared (cheap, and a full cache means a
// rack far larger than the bound, where hit rates are low anyway).
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/net_address.h"

namespace rackboot::bootd::http {

struct ScriptCacheKey {
  char kind = 0;  // 'i' iPXE, 'g' GRUB, 'p' pxelinux
  MacAddress mac;
  std::optional<Ipv4Address> client_ip;
  uint64_t revision = 0;
  bool operator==(const ScriptCacheKey&) const = default;
};

struct ScriptCacheKeyHash {
  size_t operator()(const ScriptCacheKey& k) const;
};

class RenderedScriptCache {
 public:
  RenderedScriptCache(int64_t ttl_seconds, size_t max_entries);

  // The script stored for `key`, unless it was rendered more than
  // ttl_seconds before `now_unix` (or in the future: a clock step back).
  std::optional<std::string> Get(const ScriptCacheKey& key, int64_t now_unix);
  void Put(const ScriptCacheKey& key, std::string script, int64_t rendered_unix);

  size_t size() const;
  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  struct Entry {
    std::string script;
    int64_t rendered_unix = 0;
  };
  const int64_t ttl_seconds_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<ScriptCacheKey, Entry, ScriptCacheKeyHash> entries_;
  uint64_t newest_revision_ = 0;
};

}  // namespace rackboot::bootd::http
