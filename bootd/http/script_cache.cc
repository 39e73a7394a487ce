#include "bootd/http/script_cache.h"

namespace rackboot::bootd::http {

size_t ScriptCacheKeyHash::operator()(const ScriptCacheKey& k) const {
  uint64_t h = 0;
  for (uint8_t b : k.mac.bytes()) h = (h << 8) | b;
  h = h * 31 + static_cast<uint8_t>(k.kind);
  h = h * 0x9e3779b97f4a7c15ULL + (k.client_ip ? k.client_ip->value() + 1ULL : 0ULL);
  h = h * 0x9e3779b97f4a7c15ULL + k.revision;
  return static_cast<size_t>(h ^ (h >> 29));
}

RenderedScriptCache::RenderedScriptCache(int64_t ttl_seconds, size_t max_entries)
    : ttl_seconds_(ttl_seconds), max_entries_(max_entries) {}

std::optional<std::string> RenderedScriptCache::Get(const ScriptCacheKey& key, int64_t now_unix) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  const int64_t age = now_unix - it->second.rendered_unix;
  if (age < 0 || age >= ttl_seconds_) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.script;
}

void RenderedScriptCache::Put(const ScriptCacheKey& key, std::string script, int64_t rendered_unix) {
  if (ttl_seconds_ <= 0 || max_entries_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  // Entries of older revisions can never be hit again: drop them all at
  // once when the first entry of a newer revision arrives.
  if (key.revision > newest_revision_) {
    entries_.clear();
    newest_revision_ = key.revision;
  } else if (key.revision < newest_revision_) {
    return;  // rendered from a snapshot that is already stale
  }
  if (entries_.size() >= max_entries_ && entries_.count(key) == 0) entries_.clear();
  entries_[key] = Entry{std::move(script), rendered_unix};
}

size_t RenderedScriptCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace rackboot::bootd::http
