#include "bootd/dhcp/packet4.h"

#include <algorithm>

#include "bootd/dhcp/options.h"

namespace rackboot::bootd::dhcp {
namespace {

constexpr uint8_t kMagicCookie[4] = {99, 130, 83, 99};  // RFC 2131 §3

uint32_t ReadU32(std::span<const uint8_t> b, size_t at) {
  return (static_cast<uint32_t>(b[at]) << 24) | (static_cast<uint32_t>(b[at + 1]) << 16) |
         (static_cast<uint32_t>(b[at + 2]) << 8) | b[at + 3];
}

void WriteU32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  out[at] = static_cast<uint8_t>(v >> 24);
  out[at + 1] = static_cast<uint8_t>(v >> 16);
  out[at + 2] = static_cast<uint8_t>(v >> 8);
  out[at + 3] = static_cast<uint8_t>(v);
}

std::string ReadCString(std::span<const uint8_t> field) {
  auto nul = std::find(field.begin(), field.end(), uint8_t{0});
  return std::string(field.begin(), nul);
}

void AppendOption(Packet4& p, uint8_t code, std::span<const uint8_t> data) {
  // RFC 3396 §7: several instances of one code are one concatenated option.
  for (auto& [c, v] : p.options) {
    if (c == code) {
      v.append(data.begin(), data.end());
      return;
    }
  }
  p.options.emplace_back(code, std::string(data.begin(), data.end()));
}

// Parses one option area (options field, or file/sname under option 52).
DropReason ParseOptionArea(std::span<const uint8_t> area, Packet4& p, bool honour_overload) {
  size_t at = 0;
  while (at < area.size()) {
    uint8_t code = area[at];
    if (code == kOptPad) {
      ++at;
      continue;
    }
    if (code == kOptEnd) return DropReason::kNone;
    if (at + 1 >= area.size()) return DropReason::kOptionTruncated;
    size_t len = area[at + 1];
    if (at + 2 + len > area.size()) return DropReason::kOptionPastEnd;
    // Option 52 inside file/sname is meaningless (RFC 2131 §4.1); ignoring
    // it there is what makes overload loops impossible.
    if (code != kOptOverload || honour_overload) AppendOption(p, code, area.subspan(at + 2, len));
    at += 2 + len;
  }
  return DropReason::kNone;  // a missing End is tolerated (common in the wild)
}

Result<Packet4> Fail(DropReason r, DropReason* out) {
  if (out) *out = r;
  return Error{DropReasonName(r)};
}

// Serialized TLVs of one option; data longer than 255 is split (RFC 3396).
std::vector<uint8_t> OptionBytes(uint8_t code, const std::string& data) {
  std::vector<uint8_t> out;
  size_t at = 0;
  do {
    size_t n = std::min<size_t>(255, data.size() - at);
    out.push_back(code);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), data.begin() + at, data.begin() + at + n);
    at += n;
  } while (at < data.size());
  return out;
}

}  // namespace

const std::string* Packet4::Find(uint8_t code) const {
  for (const auto& [c, v] : options) {
    if (c == code) return &v;
  }
  return nullptr;
}

void Packet4::Set(uint8_t code, std::string data) {
  for (auto& [c, v] : options) {
    if (c == code) {
      v = std::move(data);
      return;
    }
  }
  options.emplace_back(code, std::move(data));
}

void Packet4::Remove(uint8_t code) {
  options.erase(std::remove_if(options.begin(), options.end(), [&](const auto& o) { return o.first == code; }),
                options.end());
}

std::optional<MessageType> Packet4::message_type() const {
  const std::string* v = Find(kOptMessageType);
  if (!v || v->size() != 1) return std::nullopt;
  uint8_t t = static_cast<uint8_t>((*v)[0]);
  if (t < 1 || t > 8) return std::nullopt;
  return static_cast<MessageType>(t);
}

MacAddress Packet4::mac() const {
  std::array<uint8_t, 6> b{};
  std::copy_n(chaddr.begin(), 6, b.begin());
  return MacAddress(b);
}

void Packet4::set_mac(const MacAddress& mac) {
  chaddr.fill(0);
  std::copy(mac.bytes().begin(), mac.bytes().end(), chaddr.begin());
  htype = 1;
  hlen = 6;
}

Result<Packet4> DecodePacket4(std::span<const uint8_t> b, DropReason* reason) {
  if (reason) *reason = DropReason::kNone;
  if (b.size() < kFixedHeaderSize + kMagicCookieSize) return Fail(DropReason::kTooShort, reason);
  if (!std::equal(kMagicCookie, kMagicCookie + 4, b.begin() + kFixedHeaderSize)) {
    return Fail(DropReason::kBadMagicCookie, reason);
  }
  Packet4 p;
  p.op = b[0];
  p.htype = b[1];
  p.hlen = b[2];
  p.hops = b[3];
  if (p.hlen > 16) return Fail(DropReason::kBadHlen, reason);  // RFC 2131 §2: chaddr is 16 bytes
  p.xid = ReadU32(b, 4);
  p.secs = static_cast<uint16_t>((b[8] << 8) | b[9]);
  p.flags = static_cast<uint16_t>((b[10] << 8) | b[11]);
  p.ciaddr = Ipv4Address(ReadU32(b, 12));
  p.yiaddr = Ipv4Address(ReadU32(b, 16));
  p.siaddr = Ipv4Address(ReadU32(b, 20));
  p.giaddr = Ipv4Address(ReadU32(b, 24));
  std::copy_n(b.begin() + 28, 16, p.chaddr.begin());
  auto sname_field = b.subspan(44, kSnameSize);
  auto file_field = b.subspan(108, kFileSize);

  DropReason r = ParseOptionArea(b.subspan(kFixedHeaderSize + kMagicCookieSize), p, true);
  if (r != DropReason::kNone) return Fail(r, reason);

  uint8_t overload = 0;
  if (const std::string* o = p.Find(kOptOverload)) {
    if (o->size() != 1 || (*o)[0] < 1 || (*o)[0] > 3) return Fail(DropReason::kBadOverload, reason);
    overload = static_cast<uint8_t>((*o)[0]);
  }
  // RFC 2131 §4.1: options field first, then file, then sname.
  if (overload & 1) {
    r = ParseOptionArea(file_field, p, false);
    if (r != DropReason::kNone) return Fail(r, reason);
  } else {
    p.file = ReadCString(file_field);
  }
  if (overload & 2) {
    r = ParseOptionArea(sname_field, p, false);
    if (r != DropReason::kNone) return Fail(r, reason);
  } else {
    p.sname = ReadCString(sname_field);
  }
  for (const auto& [code, data] : p.options) {
    if (!OptionLengthValid(code, data.size())) return Fail(DropReason::kBadOptionLength, reason);
  }
  return p;
}

Result<std::vector<uint8_t>> EncodePacket4(const Packet4& p, uint16_t max_message_size,
                                           const std::vector<uint8_t>& requested) {
  // Order: 53, 54, then the client's preference, then the rest.
  std::vector<const std::pair<uint8_t, std::string>*> ordered;
  std::vector<bool> used(p.options.size(), false);
  auto take = [&](uint8_t code) {
    for (size_t i = 0; i < p.options.size(); ++i) {
      if (!used[i] && p.options[i].first == code) {
        used[i] = true;
        ordered.push_back(&p.options[i]);
      }
    }
  };
  take(kOptMessageType);
  take(kOptServerId);
  for (uint8_t code : requested) take(code);
  for (size_t i = 0; i < p.options.size(); ++i) {
    if (!used[i] && p.options[i].first != kOptOverload && p.options[i].first != kOptEnd &&
        p.options[i].first != kOptPad) {
      used[i] = true;
      ordered.push_back(&p.options[i]);
    }
  }

  size_t max_payload = std::max<size_t>(max_message_size, kMinMaxMessageSize) - kIpUdpHeaderSize;
  size_t main_budget = max_payload - kFixedHeaderSize - kMagicCookieSize;  // incl. End
  std::vector<std::vector<uint8_t>> tlvs;
  size_t total = 0;
  for (const auto* opt : ordered) {
    tlvs.push_back(OptionBytes(opt->first, opt->second));
    total += tlvs.back().size();
  }
  // Everything fits (with End): no overload. Otherwise keep 3 bytes for
  // option 52 in the options field and spill into file, then sname.
  const bool needs_overload = total + 1 > main_budget;
  const size_t main_limit = needs_overload ? main_budget - 3 - 1 : main_budget - 1;
  std::vector<uint8_t> main_area, file_area, sname_area;
  const bool file_free = p.file.empty(), sname_free = p.sname.empty();
  uint8_t overload = 0;
  for (const auto& tlv : tlvs) {
    if (main_area.size() + tlv.size() <= main_limit) {
      main_area.insert(main_area.end(), tlv.begin(), tlv.end());
    } else if (file_free && file_area.size() + tlv.size() + 1 <= kFileSize) {
      overload |= 1;
      file_area.insert(file_area.end(), tlv.begin(), tlv.end());
    } else if (sname_free && sname_area.size() + tlv.size() + 1 <= kSnameSize) {
      overload |= 2;
      sname_area.insert(sname_area.end(), tlv.begin(), tlv.end());
    } else {
      return Error{DropReasonName(DropReason::kReplyTooBig)};
    }
  }
  if (overload) {
    main_area.insert(main_area.begin(), {kOptOverload, 1, overload});
    if (overload & 1) file_area.push_back(kOptEnd);
    if (overload & 2) sname_area.push_back(kOptEnd);
  }
  main_area.push_back(kOptEnd);
  if (p.file.size() > kFileSize || p.sname.size() > kSnameSize) return Error{"file or sname too long"};

  std::vector<uint8_t> out(kFixedHeaderSize + kMagicCookieSize, 0);
  out[0] = p.op;
  out[1] = p.htype;
  out[2] = p.hlen;
  out[3] = p.hops;
  WriteU32(out, 4, p.xid);
  out[8] = static_cast<uint8_t>(p.secs >> 8);
  out[9] = static_cast<uint8_t>(p.secs);
  out[10] = static_cast<uint8_t>(p.flags >> 8);
  out[11] = static_cast<uint8_t>(p.flags);
  WriteU32(out, 12, p.ciaddr.value());
  WriteU32(out, 16, p.yiaddr.value());
  WriteU32(out, 20, p.siaddr.value());
  WriteU32(out, 24, p.giaddr.value());
  std::copy(p.chaddr.begin(), p.chaddr.end(), out.begin() + 28);
  if (overload & 2) {
    std::copy(sname_area.begin(), sname_area.end(), out.begin() + 44);
  } else {
    std::copy(p.sname.begin(), p.sname.end(), out.begin() + 44);
  }
  if (overload & 1) {
    std::copy(file_area.begin(), file_area.end(), out.begin() + 108);
  } else {
    std::copy(p.file.begin(), p.file.end(), out.begin() + 108);
  }
  std::copy(kMagicCookie, kMagicCookie + 4, out.begin() + kFixedHeaderSize);
  out.insert(out.end(), main_area.begin(), main_area.end());
  if (out.size() < kMinBootpSize) out.resize(kMinBootpSize, 0);  // pad after End
  return out;
}

}  // namespace rackboot::bootd::dhcp
