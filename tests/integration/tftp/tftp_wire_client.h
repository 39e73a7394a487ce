#pragma once
// A minimal TFTP read client for tests: sends one raw request datagram (so
// tests can send what real clients never would: NULs, 64 KiB names, junk
// options) and follows the transfer to the end, lockstep or windowed.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rackboot::bootd::tftp::testing {

struct WireResult {
  bool got_error = false;
  uint16_t error_code = 0;
  bool complete = false;
  std::string data;
  std::vector<std::pair<std::string, std::string>> oack;
};

// Sends `request` to 127.0.0.1:port (or `host`) and reads until the final
// block, an ERROR, or `idle_seconds` of silence. blksize is what the client
// expects (512 unless the OACK says otherwise).
inline WireResult WireFetch(uint16_t port, const std::vector<uint8_t>& request, int idle_seconds = 3,
                            const char* host = "127.0.0.1") {
  WireResult r;
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  timeval tv{idle_seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  ::inet_pton(AF_INET, host, &server.sin_addr);
  ::sendto(fd, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
  size_t blksize = 512;
  uint32_t expected = 1;
  std::vector<uint8_t> buf(65536);
  while (true) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 4) break;
    const uint16_t op = static_cast<uint16_t>(buf[0] << 8 | buf[1]);
    const uint16_t block = static_cast<uint16_t>(buf[2] << 8 | buf[3]);
    auto ack = [&](uint16_t b) {
      const uint8_t a[4] = {0, 4, static_cast<uint8_t>(b >> 8), static_cast<uint8_t>(b)};
      ::sendto(fd, a, 4, 0, reinterpret_cast<sockaddr*>(&from), len);
    };
    if (op == 5) {
      r.got_error = true;
      r.error_code = block;
      break;
    }
    if (op == 6) {
      size_t pos = 2;
      std::vector<std::string> parts;
      while (pos < static_cast<size_t>(n)) {
        std::string s(reinterpret_cast<const char*>(&buf[pos]));
        pos += s.size() + 1;
        parts.push_back(s);
      }
      for (size_t i = 0; i + 1 < parts.size(); i += 2) {
        r.oack.emplace_back(parts[i], parts[i + 1]);
        if (parts[i] == "blksize") blksize = std::stoul(parts[i + 1]);
      }
      ack(0);
      continue;
    }
    if (op != 3) continue;
    if (block == static_cast<uint16_t>(expected)) {
      r.data.append(reinterpret_cast<const char*>(&buf[4]), static_cast<size_t>(n) - 4);
      ++expected;
      ack(block);
      if (static_cast<size_t>(n) - 4 < blksize) {
        r.complete = true;
        break;
      }
    }
  }
  ::close(fd);
  return r;
}

inline std::vector<uint8_t> RawRrq(const std::string& filename, const std::string& mode = "octet",
                                   const std::vector<std::pair<std::string, std::string>>& options = {},
                                   uint16_t opcode = 1) {
  std::vector<uint8_t> out = {0, static_cast<uint8_t>(opcode)};
  auto add = [&](const std::string& s) {
    out.insert(out.end(), s.begin(), s.end());
    out.push_back(0);
  };
  add(filename);
  add(mode);
  for (const auto& [k, v] : options) {
    add(k);
    add(v);
  }
  return out;
}

}  // namespace rackboot::bootd::tftp::testing
