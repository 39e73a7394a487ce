#include "bootd/dhcp/router_advertiser.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "bootd/dhcp/router_advertisement.h"
#include "common/log.h"
#include "common/sys_error.h"

namespace rackboot::bootd::dhcp {

namespace {

constexpr const char* kComponent = "ipv6-ra";
// RFC 4861 §6.2.6 MIN_DELAY_BETWEEN_RAS: multicast answers at most this often.
constexpr auto kMinDelayBetweenMulticast = std::chrono::seconds(3);
// Unsolicited advertisements: three at start-up (MAX_INITIAL_RTR_ADVERTISEMENTS,
// spaced by MAX_INITIAL_RTR_ADVERT_INTERVAL 16 s), then every 200 s, the
// RFC's default MaxRtrAdvInterval/3 (hosts hear one even if they never solicit).
constexpr int kInitialAdvertisements = 3;
constexpr auto kInitialInterval = std::chrono::seconds(16);
constexpr auto kPeriodicInterval = std::chrono::seconds(200);
constexpr auto kRetryAfterSendError = std::chrono::seconds(1);

}  // namespace

RouterAdvertiser::RouterAdvertiser(std::string interface, bool required)
    : interface_(std::move(interface)), required_(required) {}

RouterAdvertiser::~RouterAdvertiser() {
  Stop();
}

Status RouterAdvertiser::Open() {
  ifindex_ = if_nametoindex(interface_.c_str());
  if (ifindex_ == 0) return Error{SysError("interface " + interface_)};
  int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
  if (fd < 0) return Error{SysError("raw ICMPv6 socket (needs CAP_NET_RAW)")};
  auto fail = [&](const std::string& what) {
    Error e{SysError(what)};
    close(fd);
    return e;
  };
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface_.c_str(), interface_.size()) != 0) {
    return fail("SO_BINDTODEVICE " + interface_);
  }
  // Only Router Solicitations reach us; everything else stays in the kernel.
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(kIcmpv6RouterSolicitation, &filter);
  if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) return fail("ICMP6_FILTER");
  const int hops = 255;  // RFC 4861 §4.2: receivers drop RAs with any other hop limit
  const int on = 1;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex_, sizeof ifindex_) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0) {
    return fail("IPv6 socket options");
  }
  // Solicitations go to all-routers (ff02::2).
  ipv6_mreq group{};
  inet_pton(AF_INET6, "ff02::2", &group.ipv6mr_multiaddr);
  group.ipv6mr_interface = ifindex_;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
    return fail("join ff02::2 on " + interface_ + " (IPv6 disabled there?)");
  }
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, interface_.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) return fail("SIOCGIFHWADDR " + interface_);
  std::array<uint8_t, 6> mac;
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, mac.size());
  mac_ = MacAddress(mac);
  fd_ = fd;
  return Status::Ok();
}

Status RouterAdvertiser::Start() {
  Status s = Open();
  if (!s.ok()) {
    if (required_) return Error{"dhcp.ipv6RouterAdvertisement: " + s.message()};
    log::Warn(kComponent, "not advertising; iPXE may wait ~13 s for IPv6 routers",
              {{"error", s.message()}, {"fix", "grant CAP_NET_RAW (chart: bootd.netRaw) or run an RA elsewhere"}});
    return Status::Ok();
  }
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return Error{SysError("pipe")};
  thread_ = std::thread([this] { Loop(); });
  log::Info(kComponent, "advertising no IPv6 router", {{"interface", interface_}, {"mac", mac_.ToString()}});
  return Status::Ok();
}

void RouterAdvertiser::Stop() {
  if (stop_pipe_[1] >= 0) {
    char c = 1;
    (void)!write(stop_pipe_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
  for (int* fd : {&fd_, &stop_pipe_[0], &stop_pipe_[1]}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

bool RouterAdvertiser::Advertise(const in6_addr* to) {
  const std::vector<uint8_t> ra = EncodeNoRouterAdvertisement(mac_);
  sockaddr_in6 dst{};
  dst.sin6_family = AF_INET6;
  dst.sin6_scope_id = ifindex_;
  if (to != nullptr) {
    dst.sin6_addr = *to;
  } else {
    inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
  }
  if (sendto(fd_, ra.data(), ra.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) < 0) {
    ++stats_.send_errors;
    log::Debug(kComponent, "send failed", {{"error", std::strerror(errno)}});
    return false;
  }
  ++stats_.advertisements_sent;
  log::Debug(kComponent, "advertisement sent", {{"to", to != nullptr ? "solicitor" : "all-nodes"}});
  return true;
}

void RouterAdvertiser::Loop() {
  using Clock = std::chrono::steady_clock;
  int initial_left = kInitialAdvertisements;
  Clock::time_point next_unsolicited = Clock::now();
  Clock::time_point last_multicast = Clock::time_point::min();
  bool multicast_pending = false;  // an unspecified-source RS arrived too soon after the last one
  std::array<uint8_t, 1500> buf;
  std::array<uint8_t, 256> control;
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (now >= next_unsolicited || (multicast_pending && now >= last_multicast + kMinDelayBetweenMulticast)) {
      const bool sent = Advertise(nullptr);
      last_multicast = now;
      multicast_pending = false;
      if (now >= next_unsolicited) {
        if (!sent) {
          // Typically the interface's link-local address is still in
          // duplicate address detection right after start-up: try again soon.
          next_unsolicited = now + kRetryAfterSendError;
        } else {
          next_unsolicited = now + (--initial_left > 0 ? kInitialInterval : kPeriodicInterval);
          if (initial_left < 0) initial_left = 0;
        }
      }
    }
    Clock::time_point wake = next_unsolicited;
    if (multicast_pending) wake = std::min(wake, last_multicast + kMinDelayBetweenMulticast);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(std::max<int64_t>(wait, 0))) < 0 && errno != EINTR) return;
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    for (;;) {
      sockaddr_in6 from{};
      iovec iov{buf.data(), buf.size()};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      const ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
      if (n < 0) break;
      int hop_limit = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
          std::memcpy(&hop_limit, CMSG_DATA(c), sizeof hop_limit);
        }
      }
      if (!IsValidRouterSolicitation(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)), hop_limit)) {
        ++stats_.invalid_solicitations;
        log::Debug(kComponent, "invalid router solicitation dropped", {{"bytes", n}, {"hop_limit", hop_limit}});
        continue;
      }
      ++stats_.solicitations;
      if (IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr)) {
        multicast_pending = true;  // sent by the top of the loop, rate-limited
      } else if (Advertise(&from.sin6_addr)) {
        // One line per booting machine, like its DHCP stages.
        char text[INET6_ADDRSTRLEN] = "";
        inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof text);
        log::Info(kComponent, "router solicitation answered", {{"from", text}});
      }
    }
  }
}

}  // namespace rackboot::bootd::dhcp
