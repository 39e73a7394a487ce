#include "controller/progress/boot_event_merge.h"

#include <gtest/gtest.h>

namespace rackboot::controller::progress {
namespace {

using v1alpha1::BootStage;

// A boot's events one second apart, starting at t=1000 s.
class BootEvents {
 public:
  v1alpha1::BootEvent Next(BootStage stage, const std::string& detail = "", const std::string& user_class = "") {
    v1alpha1::BootEvent e;
    e.set_sequence(++seq_);
    e.set_mac("52:54:00:aa:00:01");
    e.set_machine_name("lab/m1");
    e.set_stage(stage);
    e.set_unix_millis(1000000 + 1000 * static_cast<int64_t>(seq_));
    e.set_detail(detail);
    if (stage == v1alpha1::BOOT_STAGE_DHCP_DISCOVER || stage == v1alpha1::BOOT_STAGE_DHCP_ACK) {
      auto* f = e.mutable_fingerprint();
      f->set_client_class("x86_64-bios");
      f->set_client_arch(0);
      f->set_vendor_class("PXEClient:Arch:00000:UNDI:002001");
      f->set_user_class(user_class);
      f->set_uuid("11223344-5566-7788-99aa-525400aa0001");
      f->set_parameter_request_list("1,3,6,66,67");
    }
    return e;
  }
  uint64_t seq_ = 0;
};

std::vector<BootNote> Merge(MachineBootState* st, const v1alpha1::BootEvent& e, int threshold = 3) {
  MergeOptions o;
  o.loop_threshold = threshold;
  return MergeBootEvent(st, e, o, "NOW");
}

// Firmware PXE -> TFTP boot file -> iPXE DHCP -> script -> kernel -> initrd -> booted.
void FullChain(MachineBootState* st, BootEvents* ev, std::vector<BootNote>* notes = nullptr) {
  auto add = [&](const v1alpha1::BootEvent& e) {
    auto n = Merge(st, e);
    if (notes) notes->insert(notes->end(), n.begin(), n.end());
  };
  add(ev->Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"));
  add(ev->Next(v1alpha1::BOOT_STAGE_DHCP_OFFER));
  add(ev->Next(v1alpha1::BOOT_STAGE_DHCP_ACK));
  add(ev->Next(v1alpha1::BOOT_STAGE_BOOT_FILE, "undionly.kpxe"));
  add(ev->Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios ipxe", "iPXE"));
  add(ev->Next(v1alpha1::BOOT_STAGE_DHCP_ACK, "", "iPXE"));
  add(ev->Next(v1alpha1::BOOT_STAGE_SCRIPT, "boot.ipxe"));
  add(ev->Next(v1alpha1::BOOT_STAGE_KERNEL, "vmlinuz"));
  add(ev->Next(v1alpha1::BOOT_STAGE_INITRD, "initrd.img"));
  add(ev->Next(v1alpha1::BOOT_STAGE_BOOTED));
}

TEST(BootEventMergeTest, FullChainEndsProvisionedWithEveryStageOnceAndOneEventPerStage) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  std::vector<BootNote> notes;
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"));
  EXPECT_EQ(st.phase, "Booting");
  EXPECT_EQ(st.progress.last_stage, "dhcp_discover");
  st = MachineBootState{};
  st.phase = "Assigned";
  ev = BootEvents{};
  FullChain(&st, &ev, &notes);
  EXPECT_EQ(st.phase, "Provisioned");
  EXPECT_EQ(st.progress.boot_count, 1);
  EXPECT_EQ(st.progress.restarts, 0);
  EXPECT_EQ(st.progress.last_stage, "booted");
  std::vector<std::string> stages;
  for (const auto& s : st.progress.stages) stages.push_back(s.stage);
  EXPECT_EQ(stages, (std::vector<std::string>{"dhcp_discover", "dhcp_offer", "dhcp_ack", "boot_file", "script",
                                              "kernel", "initrd", "booted"}));
  // First sighting kept: the firmware's discover, not iPXE's.
  EXPECT_EQ(st.progress.Find("dhcp_discover")->unix_millis, 1001000);
  EXPECT_EQ(st.progress.Find("kernel")->detail, "vmlinuz");
  std::vector<std::string> reasons;
  for (const auto& n : notes) reasons.push_back(n.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{"DhcpDiscover", "DhcpOffer", "DhcpAck", "BootFile", "Script", "Kernel",
                                               "Initrd", "Booted"}));
  // The last DHCP fingerprint (iPXE's).
  ASSERT_TRUE(st.detected);
  EXPECT_EQ(st.detected->architecture, "x86_64");
  EXPECT_EQ(st.detected->firmware, "bios");
  EXPECT_EQ(st.detected->client_arch, 0);
  EXPECT_EQ(st.detected->user_class, "iPXE");
  EXPECT_EQ(st.detected->uuid, "11223344-5566-7788-99aa-525400aa0001");
  EXPECT_EQ(st.detected->parameter_request_list, "1,3,6,66,67");
  const auto* loop = model::FindCondition(st.conditions, "BootLoop");
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->status, "False");
}

TEST(BootEventMergeTest, ErrorFailsWithReasonAndANewBootAfterBootedCountsAgain) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"));
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_BOOT_FILE, "undionly.kpxe"));
  auto notes = Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_ERROR, "kernel sha256 mismatch"));
  EXPECT_EQ(st.phase, "Failed");
  ASSERT_TRUE(st.last_error);
  EXPECT_EQ(st.last_error->stage, "boot_file");
  EXPECT_EQ(st.last_error->message, "kernel sha256 mismatch");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].type, "Warning");
  EXPECT_EQ(notes[0].reason, "BootError");

  // Next full boot succeeds: Provisioned, error cleared; one boot more.
  FullChain(&st, &ev);
  EXPECT_EQ(st.phase, "Provisioned");
  EXPECT_FALSE(st.last_error);
  const int64_t boots = st.progress.boot_count;
  FullChain(&st, &ev);
  EXPECT_EQ(st.progress.boot_count, boots + 1);
  EXPECT_EQ(st.progress.stages.size(), 8u) << "the new attempt replaced the old stages";
}

TEST(BootEventMergeTest, RepeatedRestartsWithoutBootedSetBootLoopOnceAtTheThreshold) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  std::vector<BootNote> loop_notes;
  auto attempt = [&] {
    for (auto stage : {v1alpha1::BOOT_STAGE_DHCP_DISCOVER, v1alpha1::BOOT_STAGE_BOOT_FILE}) {
      for (const auto& n : Merge(&st, ev.Next(stage, "x86_64-bios firmware-pxe"))) {
        if (n.reason == "BootLoop") loop_notes.push_back(n);
      }
    }
    Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios ipxe", "iPXE"));
    Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_SCRIPT, "boot.ipxe"));
    Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_KERNEL, "vmlinuz"));  // then the kernel panics and the VM resets
  };
  attempt();
  EXPECT_EQ(st.progress.restarts, 0) << "iPXE's DHCP after the boot file is the normal chain";
  attempt();
  attempt();
  EXPECT_EQ(st.progress.restarts, 2);
  EXPECT_EQ(model::FindCondition(st.conditions, "BootLoop")->status, "False");
  attempt();
  EXPECT_EQ(st.progress.restarts, 3);
  const auto* loop = model::FindCondition(st.conditions, "BootLoop");
  EXPECT_EQ(loop->status, "True");
  EXPECT_EQ(loop->reason, "RepeatedRestarts");
  EXPECT_NE(loop->message.find("3 times"), std::string::npos) << loop->message;
  EXPECT_NE(loop->message.find("kernel"), std::string::npos) << "names the last stage reached";
  attempt();
  EXPECT_EQ(loop_notes.size(), 1u) << "one Event when the condition turns True, not one per restart";
  EXPECT_EQ(st.progress.boot_count, 1) << "restarts are one boot";

  // Reaching booted clears it.
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_INITRD));
  auto notes = Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_BOOTED));
  EXPECT_EQ(st.progress.restarts, 0);
  EXPECT_EQ(model::FindCondition(st.conditions, "BootLoop")->status, "False");
  bool resolved = false;
  for (const auto& n : notes) resolved |= n.reason == "BootLoopResolved";
  EXPECT_TRUE(resolved);
}

TEST(BootEventMergeTest, ConfigurableThresholdAndFirmwareRetryAfterBootFileCounts) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"), 1);
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_BOOT_FILE, "undionly.kpxe"), 1);
  // The firmware (not iPXE) asks again: the boot program never ran.
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"), 1);
  EXPECT_EQ(st.progress.restarts, 1);
  EXPECT_EQ(model::FindCondition(st.conditions, "BootLoop")->status, "True");
}

TEST(BootEventMergeTest, DhcpRetransmitsAreNotRestarts) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  for (int i = 0; i < 5; ++i) Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"));
  EXPECT_EQ(st.progress.restarts, 0);
  EXPECT_EQ(st.progress.boot_count, 1);
  EXPECT_EQ(st.progress.stages.size(), 1u);
}

TEST(BootEventMergeTest, ResentOlderEventsChangeNothing) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  BootEvents replay;
  FullChain(&st, &ev);
  const MachineBootState after = st;
  // bootd resends what the previous controller had not acknowledged.
  FullChain(&st, &replay);
  EXPECT_EQ(st, after);
}

TEST(BootEventMergeTest, NewAttemptExpectedAfterReconcileResetToAssigned) {
  MachineBootState st;
  st.phase = "Assigned";
  BootEvents ev;
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER));
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_BOOT_FILE));
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_SCRIPT));
  st.phase = "Assigned";  // the profile changed meanwhile
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER));
  EXPECT_EQ(st.progress.restarts, 0);
  EXPECT_EQ(st.progress.boot_count, 2);
  EXPECT_EQ(st.progress.stages.size(), 1u);
}

TEST(BootEventMergeTest, FingerprintOnlyLeavesPhaseAndStages) {
  MachineBootState st;
  st.phase = "Discovered";
  BootEvents ev;
  MergeOptions o;
  o.fingerprint_only = true;
  auto notes = MergeBootEvent(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER), o, "NOW");
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(st.phase, "Discovered");
  EXPECT_TRUE(st.progress.stages.empty());
  ASSERT_TRUE(st.detected);
  EXPECT_EQ(st.detected->mac, "52:54:00:aa:00:01");
}

TEST(BootEventMergeTest, ClientClassesMapToArchitectureAndFirmware) {
  std::string arch, fw;
  ClassToArchFirmware("x86_64-uefi-http", &arch, &fw);
  EXPECT_EQ(arch, "x86_64");
  EXPECT_EQ(fw, "uefi");
  ClassToArchFirmware("arm32-uefi", &arch, &fw);
  EXPECT_EQ(arch, "unknown");
  EXPECT_EQ(fw, "uefi");
  ClassToArchFirmware("arm64-uefi", &arch, &fw);
  EXPECT_EQ(arch, "arm64");
}

TEST(BootEventMergeTest, BootedRecordsTheReprovisionRequestAndGenerationBootdServed) {
  MachineBootState st;
  BootEvents ev;
  auto booted = ev.Next(v1alpha1::BOOT_STAGE_BOOTED);
  booted.set_reprovision("token-2");
  booted.set_generation(7);
  ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER);  // skip a number: keep the events in time order
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"));
  EXPECT_FALSE(st.provisioned) << "no booted callback yet";
  booted.set_unix_millis(ev.Next(v1alpha1::BOOT_STAGE_DHCP_OFFER).unix_millis());
  Merge(&st, booted);
  ASSERT_TRUE(st.provisioned);
  EXPECT_EQ(st.provisioned->reprovision, "token-2");
  EXPECT_EQ(st.provisioned->generation, 7);
  EXPECT_EQ(st.provisioned->unix_millis, booted.unix_millis());
  // The next boot (a reinstall after a re-provision request) keeps the
  // record until its own booted callback replaces it.
  Merge(&st, ev.Next(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe"));
  EXPECT_EQ(st.provisioned->reprovision, "token-2");
}

}  // namespace
}  // namespace rackboot::controller::progress
