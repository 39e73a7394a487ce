#include "controller/progress/boot_event_merge.h"

#include <algorithm>

namespace rackboot::controller::progress {
namespace {

using v1alpha1::BootStage;

bool IsDhcp(BootStage s) {
  return s == v1alpha1::BOOT_STAGE_DHCP_DISCOVER || s == v1alpha1::BOOT_STAGE_DHCP_OFFER ||
         s == v1alpha1::BOOT_STAGE_DHCP_ACK;
}

bool Contains(const std::string& text, const std::string& part) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find(part) != std::string::npos;
}

// iPXE announces itself with user class "iPXE" (option 77) and bootd's
// discover detail names the client kind ("x86_64-bios ipxe").
bool FromIpxe(const v1alpha1::BootEvent& e) {
  return Contains(e.fingerprint().user_class(), "ipxe") || Contains(e.detail(), "ipxe");
}

bool HasFingerprint(const v1alpha1::BootEvent& e) {
  const auto& f = e.fingerprint();
  return !f.client_class().empty() || !f.vendor_class().empty() || !f.user_class().empty() || !f.uuid().empty() ||
         !f.parameter_request_list().empty();
}

void RecordFingerprint(MachineBootState* st, const v1alpha1::BootEvent& e) {
  if (!HasFingerprint(e)) return;
  const auto& f = e.fingerprint();
  DetectedClient d = st->detected.value_or(DetectedClient{});
  ClassToArchFirmware(f.client_class(), &d.architecture, &d.firmware);
  if (!f.uuid().empty()) d.uuid = f.uuid();
  // Option 93 only means something when the client sent it; bootd's class
  // says whether it knew the architecture.
  d.client_arch = f.client_class().empty() ? -1 : static_cast<int64_t>(f.client_arch());
  d.vendor_class = f.vendor_class();
  d.user_class = f.user_class();
  d.parameter_request_list = f.parameter_request_list();
  d.relay_address = f.relay_address();
  d.mac = e.mac();
  d.unix_millis = e.unix_millis();
  st->detected = d;
}

void StartAttempt(BootProgress* p) {
  p->stages.clear();
}

model::Condition LoopCondition(bool looping, const std::string& reason, const std::string& message) {
  return model::Condition{kConditionBootLoop, looping ? "True" : "False", reason, message, 0, ""};
}

}  // namespace

std::string StageName(BootStage stage) {
  switch (stage) {
    case v1alpha1::BOOT_STAGE_DHCP_DISCOVER: return "dhcp_discover";
    case v1alpha1::BOOT_STAGE_DHCP_OFFER: return "dhcp_offer";
    case v1alpha1::BOOT_STAGE_DHCP_ACK: return "dhcp_ack";
    case v1alpha1::BOOT_STAGE_BOOT_FILE: return "boot_file";
    case v1alpha1::BOOT_STAGE_SCRIPT: return "script";
    case v1alpha1::BOOT_STAGE_KERNEL: return "kernel";
    case v1alpha1::BOOT_STAGE_INITRD: return "initrd";
    case v1alpha1::BOOT_STAGE_BOOTED: return "booted";
    case v1alpha1::BOOT_STAGE_ERROR: return "error";
    default: return "";
  }
}

std::string StageReason(BootStage stage) {
  switch (stage) {
    case v1alpha1::BOOT_STAGE_DHCP_DISCOVER: return "DhcpDiscover";
    case v1alpha1::BOOT_STAGE_DHCP_OFFER: return "DhcpOffer";
    case v1alpha1::BOOT_STAGE_DHCP_ACK: return "DhcpAck";
    case v1alpha1::BOOT_STAGE_BOOT_FILE: return "BootFile";
    case v1alpha1::BOOT_STAGE_SCRIPT: return "Script";
    case v1alpha1::BOOT_STAGE_KERNEL: return "Kernel";
    case v1alpha1::BOOT_STAGE_INITRD: return "Initrd";
    case v1alpha1::BOOT_STAGE_BOOTED: return "Booted";
    case v1alpha1::BOOT_STAGE_ERROR: return "BootError";
    default: return "";
  }
}

void ClassToArchFirmware(const std::string& client_class, std::string* arch, std::string* firmware) {
  // bootd's classes: x86_64-bios, i386-uefi, x86_64-uefi, arm32-uefi,
  // arm64-uefi, x86_64-uefi-http, arm64-uefi-http.
  if (client_class.empty()) return;
  const std::string a = client_class.substr(0, client_class.find('-'));
  *arch = (a == "x86_64" || a == "arm64" || a == "i386" || a == "riscv64") ? a : "unknown";
  *firmware = Contains(client_class, "-uefi") ? "uefi" : Contains(client_class, "-bios") ? "bios" : "unknown";
}

std::vector<BootNote> MergeBootEvent(MachineBootState* st, const v1alpha1::BootEvent& e, const MergeOptions& o,
                                     const std::string& now) {
  std::vector<BootNote> notes;
  const std::string stage = StageName(e.stage());
  if (stage.empty()) return notes;
  if (IsDhcp(e.stage())) RecordFingerprint(st, e);
  if (o.fingerprint_only) return notes;
  BootProgress& p = st->progress;
  if (e.unix_millis() < p.last_stage_millis) return notes;  // a resend of something already merged

  if (e.stage() == v1alpha1::BOOT_STAGE_DHCP_DISCOVER) {
    const bool expected_new = st->phase != kPhaseBooting && st->phase != kPhaseFailed &&
                              st->phase != kPhaseProvisioned;  // Assigned (or unknown): a new boot is expected
    const bool after_boot = p.last_stage == "booted";
    const bool past_script = p.Find("script") || p.Find("kernel") || p.Find("initrd");
    const bool firmware_retry = p.Find("boot_file") && !FromIpxe(e);
    if (expected_new || after_boot || p.stages.empty()) {
      StartAttempt(&p);
      p.restarts = 0;
      ++p.boot_count;
    } else if (past_script || firmware_retry) {
      const std::string reached = p.last_stage;
      StartAttempt(&p);
      ++p.restarts;
      if (p.restarts >= o.loop_threshold) {
        const std::string msg =
            "the machine restarted its network boot " + std::to_string(p.restarts) +
            " times without reaching the booted callback (last stage before this restart: " + reached +
            "); check its console, the BootProfile's kernel/initrd/cmdline and " + "that the installed OS calls booted";
        const model::Condition* old = model::FindCondition(st->conditions, kConditionBootLoop);
        const bool was_looping = old && old->status == "True";
        model::SetCondition(&st->conditions, LoopCondition(true, "RepeatedRestarts", msg), now);
        if (!was_looping) notes.push_back({"Warning", "BootLoop", msg});
      }
    }
  }
  if (!model::FindCondition(st->conditions, kConditionBootLoop)) {
    // Conditions are set on first sight, here when the first boot begins.
    model::SetCondition(&st->conditions, LoopCondition(false, "NoRestarts", "the boot path has not started over"), now);
  }

  if (!p.Find(stage)) {
    p.stages.push_back({stage, e.unix_millis(), e.bytes(), e.duration_millis(), e.detail()});
    if (e.stage() != v1alpha1::BOOT_STAGE_ERROR) {
      notes.push_back({"Normal", StageReason(e.stage()),
                       stage + (e.detail().empty() ? "" : ": " + e.detail()) + " (mac " + e.mac() + ")"});
    }
  }
  switch (e.stage()) {
    case v1alpha1::BOOT_STAGE_BOOTED:
      st->phase = kPhaseProvisioned;
      // Level-triggered bootOnce: reconcile derives "no boot file" from this
      // record and the Machine's current re-provision annotation.
      st->provisioned =
          resolve::ProvisionRecord{e.reprovision(), static_cast<int64_t>(e.generation()), e.unix_millis()};
      p.restarts = 0;
      st->last_error.reset();  // kept until a later boot succeeds (crds/machine.yaml)
      if (const auto* c = model::FindCondition(st->conditions, kConditionBootLoop); c && c->status == "True") {
        notes.push_back({"Normal", "BootLoopResolved", "the machine reached the booted callback"});
      }
      model::SetCondition(&st->conditions, LoopCondition(false, "Booted", "the last boot reached the booted callback"),
                          now);
      break;
    case v1alpha1::BOOT_STAGE_ERROR: {
      st->phase = kPhaseFailed;
      const std::string message = e.detail().empty() ? "bootd reported a boot error" : e.detail();
      st->last_error = LastError{e.unix_millis(), p.last_stage, message};
      notes.push_back(
          {"Warning", "BootError",
           message + " (mac " + e.mac() + ", after " + (p.last_stage.empty() ? "nothing" : p.last_stage) + ")"});
      break;
    }
    default: st->phase = kPhaseBooting; break;
  }
  // lastStage: the newest stage reached (an error leaves the stage it
  // happened in, so lastError.stage and lastStage agree).
  if (e.stage() != v1alpha1::BOOT_STAGE_ERROR) p.last_stage = stage;
  p.last_stage_millis = e.unix_millis();
  return notes;
}

}  // namespace rackboot::controller::progress
