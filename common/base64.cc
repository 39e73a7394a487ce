#include "common/base64.h"

#include <cstdint>

namespace rackboot {

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool DecodeBase64(const std::string& text, std::string* out) {
  out->clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    int d[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      // '=' only in the last two places of the last group.
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        d[j] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;
      d[j] = Base64Digit(c);
      if (d[j] < 0) return false;
    }
    const uint32_t n = (static_cast<uint32_t>(d[0]) << 18) | (static_cast<uint32_t>(d[1]) << 12) |
                       (static_cast<uint32_t>(d[2]) << 6) | static_cast<uint32_t>(d[3]);
    out->push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xff));
  }
  return true;
}

}  // namespace rackboot
