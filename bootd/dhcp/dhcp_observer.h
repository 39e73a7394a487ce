#pragma once
// DhcpObserver: an optional hook the DHCP service calls once per decoded
// packet (metrics; see bootd/metrics/). Null in tests that do not look.
// Called on the worker thread: implementations must be quick and must not
// block.

namespace rackboot::bootd::dhcp {

struct Packet4;
struct Decision;

class DhcpObserver {
 public:
  virtual ~DhcpObserver() = default;
  // `seconds`: the time DhcpEngine::Decide took.
  virtual void OnDecision(const Packet4& request, const Decision& decision, double seconds) = 0;
};

}  // namespace rackboot::bootd::dhcp
