// libFuzzer target: the DHCPv4 decoder and every option shape parser on
// arbitrary bytes. Anything that decodes must re-encode, and the re-encoded
// form must decode to the same options.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bootd/dhcp/client_class.h"
#include "bootd/dhcp/options.h"
#include "bootd/dhcp/packet4.h"

using namespace rackboot::bootd::dhcp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = DecodePacket4(std::span<const uint8_t>(data, size));
  if (!p.ok()) return 0;
  for (const auto& [code, value] : p->options) {
    OptionSubOptions::Parse(value);
    OptionUserClass::Parse(value);
    OptionClientUuid::Parse(value);
    OptionAddressList::Parse(value);
    OptionClientArch::Parse(value);
  }
  ClientInfo c = ClassifyClient(*p);
  (void)c.Fingerprint();
  (void)c.class_name();
  std::vector<uint8_t> requested(c.requested.begin(), c.requested.end());
  auto bytes = EncodePacket4(*p, 1500, requested);
  if (!bytes.ok()) return 0;
  auto again = DecodePacket4(*bytes);
  if (!again.ok()) std::abort();  // what we encode, we must be able to decode
  for (const auto& [code, value] : p->options) {
    const std::string* v = again->Find(code);
    if (code != kOptOverload && (!v || *v != value)) std::abort();
  }
  return 0;
}
