// Fuzzes what port 69 receives: packet decoding, option negotiation and path
// normalization, and checks the invariants the server relies on.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include "bootd/tftp/options.h"
#include "bootd/tftp/packet.h"
#include "bootd/tftp/path_confinement.h"

using namespace rackboot::bootd::tftp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto packet = DecodePacket(std::span<const uint8_t>(data, size));
  if (!packet.ok()) return 0;
  const auto* req = std::get_if<Request>(&*packet);
  if (req == nullptr) return 0;
  if (req->options.size() > kMaxRequestOptions) std::abort();
  for (uint16_t max_blk : {uint16_t{512}, uint16_t{1468}, uint16_t{65464}}) {
    OptionLimits limits;
    limits.max_blksize = max_blk;
    NegotiatedOptions n = NegotiateOptions(req->options, limits, size);
    if (n.blksize < kMinBlockSize || n.blksize > max_blk) std::abort();
    if (n.windowsize < 1 || n.windowsize > kMaxWindowSize) std::abort();
    if (n.timeout_seconds < 0 || n.timeout_seconds > 255) std::abort();
    if (n.oack.size() > 4) std::abort();  // each known option at most once
    const auto oack = EncodeOack(n.oack);
    if (oack.size() > 512) std::abort();  // an OACK must fit the smallest block
  }
  auto path = NormalizeRequestPath(req->filename);
  if (path.ok()) {
    const std::string& p = *path;
    if (p.empty() || p.front() == '/' || p.find('\\') != std::string::npos) std::abort();
    if (p == ".." || p.rfind("../", 0) == 0 || p.find("/../") != std::string::npos ||
        (p.size() >= 3 && p.compare(p.size() - 3, 3, "/..") == 0)) {
      std::abort();
    }
  }
  return 0;
}
