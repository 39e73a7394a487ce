#include "bootd/events/boot_event_recorder.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"

namespace rackboot::bootd {

const char* BootStageName(BootStage stage) {
  switch (stage) {
    case BootStage::kDhcpDiscover: return "dhcp_discover";
    case BootStage::kDhcpOffer: return "dhcp_offer";
    case BootStage::kDhcpAck: return "dhcp_ack";
    case BootStage::kBootFile: return "boot_file";
    case BootStage::kScript: return "script";
    case BootStage::kKernel: return "kernel";
    case BootStage::kInitrd: return "initrd";
    case BootStage::kBooted: return "booted";
    case BootStage::kError: return "error";
  }
  return "unknown";
}

BootEventRecorder::BootEventRecorder(size_t max_events_per_mac, size_t max_macs)
    : max_per_mac_(max_events_per_mac), max_macs_(max_macs) {}

void BootEventRecorder::Record(BootEvent event) {
  if (event.unix_millis == 0) {
    event.unix_millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  std::shared_ptr<const std::vector<Subscriber>> subscribers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    event.sequence = next_sequence_++;
    auto [it, inserted] = by_mac_.try_emplace(event.mac);
    if (inserted) {
      mac_order_.push_back(event.mac);
      if (mac_order_.size() > max_macs_) {
        by_mac_.erase(mac_order_.front());
        mac_order_.pop_front();
      }
    }
    auto& q = by_mac_[event.mac];
    q.push_back(event);
    if (q.size() > max_per_mac_) q.pop_front();
    subscribers = subscribers_;
  }
  // Checked first: the fields (ostringstream per number) cost more than the
  // rest of Record() and every script request records an event.
  if (log::Enabled(log::Level::kInfo)) {
    log::Info("boot", "stage",
              {{"mac", event.mac.ToString()},
               {"stage", BootStageName(event.stage)},
               {"machine", event.machine_name},
               {"bytes", event.bytes},
               {"duration_ms", event.duration_millis},
               {"detail", event.detail}});
  }
  if (subscribers) {
    for (const auto& s : *subscribers) s(event);
  }
}

std::vector<BootEvent> BootEventRecorder::EventsFor(const MacAddress& mac) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_mac_.find(mac);
  if (it == by_mac_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<BootEvent> BootEventRecorder::EventsSince(uint64_t sequence) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<BootEvent> out;
  for (const auto& [mac, q] : by_mac_) {
    for (const auto& e : q) {
      if (e.sequence > sequence) out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(), [](const BootEvent& a, const BootEvent& b) { return a.sequence < b.sequence; });
  return out;
}

void BootEventRecorder::Subscribe(Subscriber subscriber) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next = subscribers_ ? std::make_shared<std::vector<Subscriber>>(*subscribers_)
                           : std::make_shared<std::vector<Subscriber>>();
  next->push_back(std::move(subscriber));
  subscribers_ = std::move(next);
}

}  // namespace rackboot::bootd
