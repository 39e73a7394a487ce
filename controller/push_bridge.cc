#include "controller/push_bridge.h"

#include "common/log.h"
#include "controller/model/json_fields.h"

namespace rackboot::controller {
namespace {

using web::json::value;

// BootProfile artifact ({url|path, sha256}, crds/bootprofile.yaml): bootd
// takes an http(s) URL as upstream and anything else as a path under its
// artifact root (assignment.proto, Artifact.url).
void FillArtifact(const value& json, v1alpha1::Artifact* out) {
  std::string url = model::StringAt(json, "url");
  out->set_url(url.empty() ? model::StringAt(json, "path") : url);
  out->set_sha256(model::StringAt(json, "sha256"));
}

}  // namespace

v1alpha1::HostAssignment ToHostAssignment(const ResolvedAssignment& a, const value* profile) {
  v1alpha1::HostAssignment h;
  h.set_machine_name(a.machine_key);
  h.set_rack(a.rack);
  h.set_hostname(a.hostname);
  h.set_allow_pxe(a.allow_pxe);
  for (size_t i = 0; i < a.macs.size(); ++i) {
    auto* nic = h.add_interfaces();
    nic->set_mac(a.macs[i]);
    // The resolved address belongs to the primary (first) interface.
    if (i == 0) {
      nic->set_primary(true);
      if (!a.ipv4.IsZero()) nic->set_ipv4(a.ipv4.ToString());
    }
  }
  auto* boot = h.mutable_boot();
  boot->set_profile_name(a.profile);
  if (profile == nullptr) return h;
  const value* spec = model::Field(*profile, "spec");
  if (spec == nullptr) return h;
  if (const value* k = model::Field(*spec, "kernel")) FillArtifact(*k, boot->mutable_kernel());
  if (const value* initrds = model::Field(*spec, "initrds"); initrds && initrds->is_array()) {
    for (const auto& i : initrds->as_array()) FillArtifact(i, boot->add_initrds());
  }
  boot->set_cmdline_template(model::StringAt(*spec, "cmdline"));
  if (const value* t = model::Field(*spec, "templates")) {
    boot->set_ipxe_template(model::StringAt(*t, "ipxe"));
    boot->set_grub_template(model::StringAt(*t, "grub"));
    boot->set_pxelinux_template(model::StringAt(*t, "pxelinux"));
  }
  return h;
}

PushBridge::PushBridge(MachineController& machines, push::PushServerOptions options,
                       std::chrono::milliseconds sync_interval)
    : machines_(machines), options_(std::move(options)), interval_(sync_interval) {}

PushBridge::~PushBridge() {
  Stop();
}

void PushBridge::StartLeading(int64_t epoch) {
  // +1: epoch 0 would equal a bootd that never heard from any leader.
  cache_.SetLeaderEpoch(static_cast<uint64_t>(epoch) + 1);
  thread_ = std::jthread([this](std::stop_token st) { Loop(st); });
}

void PushBridge::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (server_) server_->Stop();
}

void PushBridge::SyncOnce() {
  std::map<std::string, std::map<std::string, v1alpha1::HostAssignment>> by_rack;
  for (const auto& a : machines_.Assignments()) {
    const std::string ns = a.machine_key.substr(0, a.machine_key.find('/'));
    std::optional<value> profile;
    if (!a.profile.empty()) {
      profile = machines_.profiles().store().Get(a.machine_key.find('/') == std::string::npos ? a.profile
                                                                                              : ns + "/" + a.profile);
    }
    by_rack[a.rack][a.machine_key] = ToHostAssignment(a, profile ? &*profile : nullptr);
  }
  for (const auto& rack : racks_seen_) {
    if (!by_rack.count(rack)) cache_.SetRack(rack, {});  // its last machine went away
  }
  for (auto& [rack, hosts] : by_rack) {
    racks_seen_.insert(rack);
    cache_.SetRack(rack, std::move(hosts));
  }
}

void PushBridge::Loop(std::stop_token st) {
  while (!st.stop_requested() && !machines_.leading_ready()) std::this_thread::sleep_for(interval_);
  // Leading starts by queueing every Machine; let that first pass (about one
  // reconcile per cached Machine) finish before bootd hears from us, so a new
  // leader does not push a half-built rack that drops hosts bootd holds from
  // the previous leader. Capped: a Machine failing its writes must not keep
  // the push down.
  const auto first_pass_cap = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const size_t cached = machines_.machines().store().List().size();
  while (!st.stop_requested() && machines_.reconciles() < cached && std::chrono::steady_clock::now() < first_pass_cap) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  while (!st.stop_requested()) {
    SyncOnce();
    if (!server_) {
      server_ = std::make_unique<push::AssignmentPushServer>(options_, cache_, *this);
      Status s = server_->Start();
      if (!s.ok()) {
        log::Error("controller", "cannot start the assignment push server",
                   {{"listen", options_.listen}, {"error", s.message()}});
        std::_Exit(3);  // a leader that cannot push is useless; let a replica take over
      }
      log::Info("controller", "assignment push server listening", {{"port", server_->port()}});
    }
    std::this_thread::sleep_for(interval_);
  }
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
