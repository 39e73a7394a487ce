#include "bootd/dhcp/options.h"

#include <cstdio>

#include "bootd/dhcp/option_codes.h"

namespace rackboot::bootd::dhcp {
namespace {

uint32_t ReadU32(std::string_view d, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(d[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[at + 2])) << 8) | static_cast<uint8_t>(d[at + 3]);
}

void AppendU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

}  // namespace

std::optional<OptionAddress> OptionAddress::Parse(std::string_view data) {
  if (data.size() != 4) return std::nullopt;
  return OptionAddress{Ipv4Address(ReadU32(data, 0))};
}

std::string OptionAddress::Serialize() const {
  std::string out;
  AppendU32(out, value.value());
  return out;
}

std::optional<OptionAddressList> OptionAddressList::Parse(std::string_view data) {
  if (data.empty() || data.size() % 4 != 0) return std::nullopt;
  OptionAddressList list;
  for (size_t i = 0; i < data.size(); i += 4) list.values.emplace_back(ReadU32(data, i));
  return list;
}

std::string OptionAddressList::Serialize() const {
  std::string out;
  for (const auto& a : values) AppendU32(out, a.value());
  return out;
}

std::optional<OptionString> OptionString::Parse(std::string_view data) {
  while (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  if (data.empty()) return std::nullopt;
  return OptionString{std::string(data)};
}

std::optional<OptionParameterList> OptionParameterList::Parse(std::string_view data) {
  if (data.empty()) return std::nullopt;
  OptionParameterList p;
  p.codes.assign(data.begin(), data.end());
  return p;
}

std::optional<OptionClientArch> OptionClientArch::Parse(std::string_view data) {
  if (data.empty() || data.size() % 2 != 0) return std::nullopt;
  OptionClientArch a;
  for (size_t i = 0; i < data.size(); i += 2) {
    a.types.push_back(static_cast<uint16_t>((static_cast<uint8_t>(data[i]) << 8) | static_cast<uint8_t>(data[i + 1])));
  }
  return a;
}

std::string OptionClientArch::Serialize() const {
  std::string out;
  for (uint16_t t : types) {
    out.push_back(static_cast<char>(t >> 8));
    out.push_back(static_cast<char>(t & 0xff));
  }
  return out;
}

std::optional<OptionClientNdi> OptionClientNdi::Parse(std::string_view data) {
  if (data.size() != 3) return std::nullopt;
  return OptionClientNdi{static_cast<uint8_t>(data[0]), static_cast<uint8_t>(data[1]), static_cast<uint8_t>(data[2])};
}

std::optional<OptionClientUuid> OptionClientUuid::Parse(std::string_view data) {
  if (data.size() != 17) return std::nullopt;
  OptionClientUuid u;
  u.type = static_cast<uint8_t>(data[0]);
  for (size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<uint8_t>(data[i + 1]);
  return u;
}

std::string OptionClientUuid::Serialize() const {
  std::string out(1, static_cast<char>(type));
  out.append(bytes.begin(), bytes.end());
  return out;
}

bool OptionClientUuid::IsZero() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::string OptionClientUuid::ToCanonical() const {
  // SMBIOS 2.6+ stores time_low, time_mid, time_hi little-endian (§7.2.1).
  static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  std::string out;
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    std::snprintf(hex, sizeof hex, "%02x", bytes[kOrder[i]]);
    out.append(hex);
  }
  return out;
}

std::optional<OptionClientId> OptionClientId::Parse(std::string_view data) {
  if (data.size() < 2) return std::nullopt;
  return OptionClientId{static_cast<uint8_t>(data[0]), std::string(data.substr(1))};
}

std::optional<OptionUserClass> OptionUserClass::Parse(std::string_view data) {
  if (data.empty()) return std::nullopt;
  OptionUserClass uc;
  // RFC 3004 §4: each instance is a length byte (>= 1) and that many bytes,
  // exactly filling the option.
  size_t at = 0;
  bool rfc3004 = true;
  while (at < data.size()) {
    size_t len = static_cast<uint8_t>(data[at]);
    if (len == 0 || at + 1 + len > data.size()) {
      rfc3004 = false;
      break;
    }
    uc.classes.emplace_back(data.substr(at + 1, len));
    at += 1 + len;
  }
  if (!rfc3004) uc.classes.assign(1, std::string(data));  // raw (iPXE)
  return uc;
}

std::string OptionUserClass::Serialize() const {
  std::string out;
  for (const auto& c : classes) {
    out.push_back(static_cast<char>(c.size()));
    out += c;
  }
  return out;
}

bool OptionUserClass::Contains(std::string_view cls) const {
  for (const auto& c : classes) {
    if (c == cls) return true;
  }
  return false;
}

std::optional<OptionSubOptions> OptionSubOptions::Parse(std::string_view data) {
  OptionSubOptions s;
  size_t at = 0;
  while (at < data.size()) {
    uint8_t code = static_cast<uint8_t>(data[at]);
    if (code == kOptPad) {
      ++at;
      continue;
    }
    if (code == kOptEnd) break;
    if (at + 1 >= data.size()) return std::nullopt;
    size_t len = static_cast<uint8_t>(data[at + 1]);
    if (at + 2 + len > data.size()) return std::nullopt;
    s.items.emplace_back(code, std::string(data.substr(at + 2, len)));
    at += 2 + len;
  }
  return s;
}

std::string OptionSubOptions::Serialize() const {
  std::string out;
  for (const auto& [code, value] : items) {
    out.push_back(static_cast<char>(code));
    out.push_back(static_cast<char>(value.size() > 255 ? 255 : value.size()));
    out.append(value, 0, 255);
  }
  return out;
}

const std::string* OptionSubOptions::Find(uint8_t code) const {
  for (const auto& [c, v] : items) {
    if (c == code) return &v;
  }
  return nullptr;
}

bool OptionLengthValid(uint8_t code, size_t length) {
  switch (code) {
    case kOptMessageType:
    case kOptOverload: return length == 1;
    case kOptMaxMessageSize: return length == 2;
    case kOptRequestedIp:
    case kOptServerId:
    case kOptLeaseTime: return length == 4;
    case kOptClientId: return length >= 2;
    case kOptClientUuid: return length == 17;
    case kOptClientNdi: return length == 3;
    case kOptClientArch: return length >= 2 && length % 2 == 0;
    case kOptHostName:
    case kOptVendorClass:
    case kOptUserClass:
    case kOptParameterList:
    case kOptRelayAgentInfo: return length >= 1;
    default: return true;
  }
}

}  // namespace rackboot::bootd::dhcp
