#include "bootd/tftp/packet.h"

#include <algorithm>
#include <cctype>

namespace rackboot::bootd::tftp {
namespace {

uint16_t ReadU16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

void AppendU16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void AppendString(std::vector<uint8_t>& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(0);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Reads one NUL-terminated string starting at *pos; the NUL must lie inside
// the datagram (an unterminated string is the classic over-read).
bool ReadString(std::span<const uint8_t> b, size_t* pos, std::string* out) {
  const auto begin = b.begin() + static_cast<std::ptrdiff_t>(*pos);
  const auto nul = std::find(begin, b.end(), uint8_t{0});
  if (nul == b.end()) return false;
  out->assign(begin, nul);
  *pos = static_cast<size_t>(nul - b.begin()) + 1;
  return true;
}

Result<Packet> DecodeRequest(Opcode op, std::span<const uint8_t> b) {
  Request r;
  r.opcode = op;
  size_t pos = 2;
  if (!ReadString(b, &pos, &r.filename)) return Error{"unterminated filename"};
  std::string mode;
  if (!ReadString(b, &pos, &mode)) return Error{"unterminated mode"};
  r.mode = Lower(std::move(mode));
  // RFC 2347 §2: options follow the mode as name/value string pairs.
  while (pos < b.size()) {
    RequestOption o;
    if (!ReadString(b, &pos, &o.name)) return Error{"unterminated option name"};
    if (!ReadString(b, &pos, &o.value)) return Error{"unterminated option value"};
    if (o.name.empty()) return Error{"empty option name"};
    if (o.name.size() > kMaxOptionNameLength) return Error{"option name too long"};
    if (o.value.size() > kMaxOptionValueLength) return Error{"option value too long"};
    if (r.options.size() == kMaxRequestOptions) return Error{"too many options"};
    o.name = Lower(std::move(o.name));
    r.options.push_back(std::move(o));
  }
  return Packet{std::move(r)};
}

}  // namespace

Result<Packet> DecodePacket(std::span<const uint8_t> b) {
  if (b.size() < 2) return Error{"shorter than an opcode"};
  const uint16_t op = ReadU16(b, 0);
  switch (op) {
    case 1:
    case 2: return DecodeRequest(static_cast<Opcode>(op), b);
    case 3: {
      if (b.size() < 4) return Error{"short DATA"};
      DataPacket d;
      d.block = ReadU16(b, 2);
      d.data.assign(b.begin() + 4, b.end());
      return Packet{std::move(d)};
    }
    case 4:
      if (b.size() < 4) return Error{"short ACK"};
      // Trailing bytes after an ACK are tolerated (some clients pad).
      return Packet{AckPacket{ReadU16(b, 2)}};
    case 5: {
      // A 2-byte ERROR (opcode only) crashed tftpd-hpa's logger once
      // (CVE-2011-2199 class): accept it as "code 0, no message".
      ErrorPacket e;
      if (b.size() >= 4) e.code = ReadU16(b, 2);
      if (b.size() > 4) {
        const auto begin = b.begin() + 4;
        const auto nul = std::find(begin, b.end(), uint8_t{0});
        e.message.assign(begin, nul);  // unterminated message: take what is there
      }
      return Packet{std::move(e)};
    }
    case 6: {
      OackPacket o;
      size_t pos = 2;
      while (pos < b.size()) {
        std::string name, value;
        if (!ReadString(b, &pos, &name) || !ReadString(b, &pos, &value)) return Error{"unterminated OACK option"};
        if (o.options.size() == kMaxRequestOptions) return Error{"too many options"};
        o.options.emplace_back(Lower(std::move(name)), std::move(value));
      }
      return Packet{std::move(o)};
    }
    default: return Error{"unknown opcode"};
  }
}

std::vector<uint8_t> EncodeRequest(const Request& request) {
  std::vector<uint8_t> out;
  AppendU16(out, static_cast<uint16_t>(request.opcode));
  AppendString(out, request.filename);
  AppendString(out, request.mode);
  for (const auto& o : request.options) {
    AppendString(out, o.name);
    AppendString(out, o.value);
  }
  return out;
}

std::vector<uint8_t> EncodeAck(uint16_t block) {
  std::vector<uint8_t> out;
  AppendU16(out, static_cast<uint16_t>(Opcode::kAck));
  AppendU16(out, block);
  return out;
}

std::vector<uint8_t> EncodeError(ErrorCode code, std::string_view message) {
  std::vector<uint8_t> out;
  AppendU16(out, static_cast<uint16_t>(Opcode::kError));
  AppendU16(out, static_cast<uint16_t>(code));
  AppendString(out, message.substr(0, 200));
  return out;
}

std::vector<uint8_t> EncodeOack(const std::vector<std::pair<std::string, std::string>>& options) {
  std::vector<uint8_t> out;
  AppendU16(out, static_cast<uint16_t>(Opcode::kOack));
  for (const auto& [name, value] : options) {
    AppendString(out, name);
    AppendString(out, value);
  }
  return out;
}

std::vector<uint8_t> EncodeData(uint16_t block, std::span<const uint8_t> data) {
  std::vector<uint8_t> out;
  out.reserve(4 + data.size());
  AppendU16(out, static_cast<uint16_t>(Opcode::kData));
  AppendU16(out, block);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

}  // namespace rackboot::bootd::tftp
