// libFuzzer target: the watch-stream decoder parses bytes from the network.
// The input is split into two chunks at a position taken from its first
// byte, so chunk-boundary handling is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "controller/k8s/watch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cut = data[0] % size;
  std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t split = cut < all.size() ? cut : all.size();
  rackboot::k8s::WatchDecoder decoder;
  std::vector<rackboot::k8s::WatchEvent> events;
  if (decoder.Feed(all.substr(0, split), &events).ok()) decoder.Feed(all.substr(split), &events);
  for (const auto& e : events) (void)e.ErrorCode();
  return 0;
}
