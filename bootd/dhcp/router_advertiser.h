#pragma once
// RouterAdvertiser: the socket half of dhcp.ipv6RouterAdvertisement. One raw
// ICMPv6 socket on the rack interface that answers Router Solicitations
// with the "no IPv6 router here" advertisement (router_advertisement.h) and
// sends it unsolicited at start-up and every few minutes, so iPXE does not
// spend ~13 s on IPv6 router discovery in a rack without an IPv6 router.
//
// Solicitations from a link-local source are answered by unicast (RFC 4861
// §6.2.6 allows it), so a rack booting many machines at once gets one
// answer each without delay; those from the unspecified address get the
// multicast answer, at most one per MIN_DELAY_BETWEEN_RAS (3 s).

#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "bootd/service.h"
#include "common/net_address.h"

namespace rackboot::bootd::dhcp {

struct RouterAdvertiserStats {
  std::atomic<uint64_t> solicitations{0};          // valid RS received
  std::atomic<uint64_t> invalid_solicitations{0};  // dropped by the RFC 4861 §6.1.1 checks
  std::atomic<uint64_t> advertisements_sent{0};
  std::atomic<uint64_t> send_errors{0};
};

// A copy of RouterAdvertiserStats at one moment (what the metrics scrape reads).
struct RouterAdvertiserCounts {
  uint64_t solicitations = 0;
  uint64_t invalid_solicitations = 0;
  uint64_t advertisements_sent = 0;
  uint64_t send_errors = 0;
};

class RouterAdvertiser : public Service {
 public:
  // `required`: a socket that cannot be opened (no CAP_NET_RAW, IPv6 off on
  // the interface) stops the daemon; otherwise it is logged and the
  // service stays idle.
  RouterAdvertiser(std::string interface, bool required);
  ~RouterAdvertiser() override;

  std::string name() const override { return "ipv6-ra"; }
  Status Start() override;
  void Stop() override;

  bool active() const { return fd_ >= 0; }
  const RouterAdvertiserStats& stats() const { return stats_; }
  RouterAdvertiserCounts counts() const {
    return {stats_.solicitations.load(), stats_.invalid_solicitations.load(), stats_.advertisements_sent.load(),
            stats_.send_errors.load()};
  }

 private:
  Status Open();
  void Loop();
  // Sends the advertisement to `to` (all-nodes ff02::1 when null); false
  // when the kernel refused it.
  bool Advertise(const in6_addr* to);

  std::string interface_;
  bool required_;
  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  unsigned ifindex_ = 0;
  MacAddress mac_;
  RouterAdvertiserStats stats_;
  std::thread thread_;
};

}  // namespace rackboot::bootd::dhcp
