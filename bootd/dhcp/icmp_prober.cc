#include "bootd/dhcp/icmp_prober.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "bootd/dhcp/icmp_echo.h"

namespace rackboot::bootd::dhcp {

Result<std::unique_ptr<IcmpProber>> IcmpProber::Open(const std::string& interface) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
  if (fd < 0) return Error{std::string("raw ICMP socket (needs CAP_NET_RAW): ") + std::strerror(errno)};
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(), interface.size()) != 0) {
    std::string e = "SO_BINDTODEVICE " + interface + ": " + std::strerror(errno);
    close(fd);
    return Error{e};
  }
  return std::unique_ptr<IcmpProber>(new IcmpProber(fd, static_cast<uint16_t>(getpid())));
}

IcmpProber::~IcmpProber() {
  close(fd_);
}

std::set<Ipv4Address> IcmpProber::Probe(const std::vector<Ipv4Address>& ips, std::chrono::milliseconds timeout) {
  std::set<Ipv4Address> answered;
  std::map<uint16_t, Ipv4Address> by_seq;
  for (Ipv4Address ip : ips) {
    const uint16_t seq = ++seq_;
    std::vector<uint8_t> req = EncodeEchoRequest(id_, seq);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_addr.s_addr = htonl(ip.value());
    // A send error (no route) means nobody can answer: the address counts as free.
    if (sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) >= 0) by_seq[seq] = ip;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<uint8_t> buf(1500);
  while (answered.size() < by_seq.size()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    for (;;) {
      ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0) break;
      auto reply = ParseEchoReply(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
      if (!reply || reply->id != id_) continue;
      auto it = by_seq.find(reply->seq);
      if (it != by_seq.end() && it->second == reply->from) answered.insert(reply->from);
    }
  }
  return answered;
}

}  // namespace rackboot::bootd::dhcp
