#include "controller/push_bridge.h"

#include "common/log.h"

namespace rackboot::controller {

PushBridge::PushBridge(MachineController& machines, push::PushServerOptions options) : options_(std::move(options)) {
  machines.SetAssignmentPublisher(&cache_);
  machines.SetLeadingReadyListener([this](int64_t epoch) { StartServing(epoch); });
}

PushBridge::~PushBridge() {
  Stop();
}

void PushBridge::SetEpoch(int64_t epoch) {
  // +1: epoch 0 would equal a bootd that never heard from any leader.
  cache_.SetLeaderEpoch(static_cast<uint64_t>(epoch) + 1);
}

void PushBridge::StartLeading(int64_t epoch) {
  SetEpoch(epoch);
}

void PushBridge::StartServing(int64_t epoch) {
  SetEpoch(epoch);  // before the first stream, whichever of the two calls came first
  std::lock_guard lock(server_mu_);
  if (stopped_ || server_) return;
  server_ = std::make_unique<push::AssignmentPushServer>(options_, cache_, *this);
  Status s = server_->Start();
  if (!s.ok()) {
    log::Error("controller", "cannot start the assignment push server",
               {{"listen", options_.listen}, {"error", s.message()}});
    std::_Exit(3);  // a leader that cannot push is useless; let a replica take over
  }
  log::Info("controller", "assignment push server listening", {{"port", server_->port()}});
}

void PushBridge::Stop() {
  std::lock_guard lock(server_mu_);
  stopped_ = true;
  if (server_) server_->Stop();
}

void PushBridge::OnBootEvent(const std::string& rack, const v1alpha1::BootEvent& event) {
  AcceptBootEvent(rack, event, [] {});
}

void PushBridge::AcceptBootEvent(const std::string& rack, const v1alpha1::BootEvent& event,
                                 std::function<void()> stored) {
  log::Debug("controller", "boot event",
             {{"rack", rack},
              {"machine", event.machine_name()},
              {"mac", event.mac()},
              {"stage", v1alpha1::BootStage_Name(event.stage())}});
  if (!boot_events_) return stored();
  if (!boot_events_->Push({rack, event, stored, 0})) {
    // Given up (bounded memory): acknowledged so the stream's acks move on.
    log::Warn("controller", "boot event dropped: status writer queue full",
              {{"rack", rack}, {"mac", event.mac()}, {"dropped", boot_events_->dropped()}});
    stored();
  }
}

void PushBridge::OnAck(const std::string& rack, uint64_t version) {
  log::Debug("controller", "bootd applied assignments", {{"rack", rack}, {"version", version}});
}

void PushBridge::OnNack(const std::string& rack, uint64_t version, const std::string& error_detail,
                        const std::vector<std::string>& machines) {
  log::Warn("controller", "bootd rejected assignments",
            {{"rack", rack}, {"version", version}, {"error", error_detail}, {"machines", machines.size()}});
}

}  // namespace rackboot::controller
