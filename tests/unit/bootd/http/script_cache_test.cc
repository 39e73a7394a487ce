#include "bootd/http/script_cache.h"

#include <gtest/gtest.h>

namespace rackboot::bootd::http {
namespace {

ScriptCacheKey Key(const char* mac, const char* ip, uint64_t revision, char kind = 'i') {
  ScriptCacheKey k;
  k.kind = kind;
  k.mac = *MacAddress::Parse(mac);
  if (ip != nullptr) k.client_ip = *Ipv4Address::Parse(ip);
  k.revision = revision;
  return k;
}

TEST(RenderedScriptCacheTest, HitWithinTtlMissAfterExpiry) {
  RenderedScriptCache cache(60, 100);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1), "script-a", 1000);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1), 1000), "script-a");
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1), 1059), "script-a");
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1), 1060), std::nullopt);  // 60 s old: expired
  EXPECT_EQ(cache.size(), 0u);                                                        // and dropped
}

TEST(RenderedScriptCacheTest, ClockGoingBackwardsIsAMiss) {
  RenderedScriptCache cache(60, 100);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1), "script-a", 1000);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1), 999), std::nullopt);
}

TEST(RenderedScriptCacheTest, ClientAddressesNeverShareAnEntry) {
  RenderedScriptCache cache(60, 100);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1), "token-for-10.0.0.1", 1000);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.2", 1), 1000), std::nullopt);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", nullptr, 1), 1000), std::nullopt);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.2", 1), "token-for-10.0.0.2", 1000);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1), 1000), "token-for-10.0.0.1");
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.2", 1), 1000), "token-for-10.0.0.2");
}

TEST(RenderedScriptCacheTest, MacAndKindAreSeparate) {
  RenderedScriptCache cache(60, 100);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1, 'i'), "ipxe", 1000);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:02", "10.0.0.1", 1, 'i'), 1000), std::nullopt);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1, 'g'), 1000), std::nullopt);
}

TEST(RenderedScriptCacheTest, NewRevisionInvalidatesAndStaleRendersAreNotStored) {
  RenderedScriptCache cache(60, 100);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1), "rev1", 1000);
  cache.Put(Key("52:54:00:00:00:02", "10.0.0.1", 1), "rev1-other", 1000);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 2), 1000), std::nullopt);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 2), "rev2", 1000);
  EXPECT_EQ(cache.size(), 1u);  // revision 1 entries are gone
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:02", "10.0.0.1", 1), 1000), std::nullopt);
  // A render that started before the change finishes after it: not kept.
  cache.Put(Key("52:54:00:00:00:02", "10.0.0.1", 1), "late-rev1", 1000);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 2), 1000), "rev2");
}

TEST(RenderedScriptCacheTest, BoundedByClearingWhenFull) {
  RenderedScriptCache cache(60, 3);
  for (int i = 1; i <= 3; ++i) {
    cache.Put(Key(("52:54:00:00:00:0" + std::to_string(i)).c_str(), "10.0.0.1", 1), "s", 1000);
  }
  EXPECT_EQ(cache.size(), 3u);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1), "replaced", 1000);  // same key: no growth
  EXPECT_EQ(cache.size(), 3u);
  cache.Put(Key("52:54:00:00:00:04", "10.0.0.1", 1), "fourth", 1000);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:04", "10.0.0.1", 1), 1000), "fourth");
}

TEST(RenderedScriptCacheTest, ZeroTtlDisablesCaching) {
  RenderedScriptCache cache(0, 100);
  cache.Put(Key("52:54:00:00:00:01", "10.0.0.1", 1), "s", 1000);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Get(Key("52:54:00:00:00:01", "10.0.0.1", 1), 1000), std::nullopt);
}

}  // namespace
}  // namespace rackboot::bootd::http
