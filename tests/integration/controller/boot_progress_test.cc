// Boot progress against the real test apiserver (fixture "k8s"): bootd's
// boot events, handed to the BootStatusWriter the way PushBridge does, end in
// Machine status through /status (phase, stage timestamps, detected client,
// BootLoop) and Events, while a real rackboot-controller reconciles the same
// Machines (conflicts on both sides, and reconcile must not undo the boot
// phase). Discovered Machines for unknown MACs: opt-in, idempotent, bounded.
#include <gtest/gtest.h>

#include <memory>

#include "controller/k8s/api_client.h"
#include "controller/k8s/client_config.h"
#include "controller/k8s/cpprest_transport.h"
#include "controller/model/json_fields.h"
#include "controller/progress/boot_status_writer.h"
#include "tests/integration/controller/kube_test_env.h"

namespace rackboot::testing {
namespace {

using controller::progress::BootEventQueue;
using controller::progress::BootStatusWriter;
using controller::progress::BootStatusWriterOptions;
using web::json::value;

std::shared_ptr<k8s::ApiClient> Client() {
  auto transport = std::make_shared<k8s::CpprestTransport>(k8s::LoadKubeconfig(Kubeconfig()));
  return std::make_shared<k8s::ApiClient>(transport);
}

std::string ConfigFor(const std::string& ns) {
  return "namespace: " + ns + "\nleaderElection:\n  enabled: false\n" +
         "racks:\n- name: rack-a\n  subnet: 10.0.0.0/24\n  pool: {start: 10.0.0.100, end: 10.0.0.109}\n";
}

value GetMachine(const std::string& ns, const std::string& name) {
  return KubectlJson("get machine -n " + ns + " " + name);
}

bool PhaseIs(const std::string& ns, const std::string& name, const std::string& phase) {
  return StatusField(GetMachine(ns, name), "phase") == phase;
}

// bootd's events for one machine, stamped with increasing wall-clock times.
class BootdEvents {
 public:
  BootdEvents(BootEventQueue& q, std::string machine, std::string mac)
      : q_(q), machine_(std::move(machine)), mac_(std::move(mac)) {}
  void Send(v1alpha1::BootStage stage, const std::string& detail = "", bool ipxe = false) {
    v1alpha1::BootEvent e;
    e.set_sequence(++seq_);
    e.set_mac(mac_);
    e.set_machine_name(machine_);
    e.set_stage(stage);
    last_ms_ = std::max(last_ms_ + 1, model::NowMicros() / 1000);
    e.set_unix_millis(last_ms_);
    e.set_detail(detail);
    if (stage <= v1alpha1::BOOT_STAGE_DHCP_ACK) {
      e.mutable_fingerprint()->set_client_class("x86_64-uefi");
      e.mutable_fingerprint()->set_client_arch(7);
      e.mutable_fingerprint()->set_vendor_class("PXEClient:Arch:00007:UNDI:003016");
      if (ipxe) e.mutable_fingerprint()->set_user_class("iPXE");
      e.mutable_fingerprint()->set_parameter_request_list("1,3,6,66,67");
    }
    ASSERT_TRUE(q_.Push({"rack-a", e, nullptr, 0}));
  }

 private:
  BootEventQueue& q_;
  std::string machine_, mac_;
  uint64_t seq_ = 0;
  int64_t last_ms_ = 0;
};

// A started BootStatusWriter fed by its queue as PushBridge feeds it, with a
// BootLoop threshold of 2 restarts.
struct LoopingWriter {
  static BootStatusWriterOptions Options() {
    BootStatusWriterOptions options;
    options.loop_threshold = 2;
    return options;
  }
  LoopingWriter() { writer.Start(); }
  BootEventQueue queue;
  BootStatusWriter writer{Client(), queue, Options(), nullptr};
};

// `attempts` boots that get as far as the kernel and then start over (the
// machine resets): restarts for the BootLoop condition.
void SendRestartingBoots(BootdEvents& bootd, int attempts) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    bootd.Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi firmware-pxe");
    bootd.Send(v1alpha1::BOOT_STAGE_BOOT_FILE, "snponly.efi");
    bootd.Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi ipxe", true);
    bootd.Send(v1alpha1::BOOT_STAGE_SCRIPT, "boot.ipxe");
    bootd.Send(v1alpha1::BOOT_STAGE_KERNEL, "vmlinuz");
  }
}

std::string EventsOf(const std::string& ns, const std::string& name) {
  return Kubectl("get events -n " + ns + " --field-selector involvedObject.name=" + name +
                 " -o custom-columns=REASON:.reason,TYPE:.type,MSG:.message")
      .output;
}

const value* Stage(const value& machine, const std::string& stage) {
  const value* bp = model::Field(machine.at("status"), "bootProgress");
  if (!bp || !bp->has_field("stages")) return nullptr;
  for (const auto& s : bp->at("stages").as_array()) {
    if (s.at("stage").as_string() == stage) return &s;
  }
  return nullptr;
}

TEST(BootProgressTest, StagesReachStatusAndEventsAndReconcileKeepsTheBootPhase) {
  TestNamespace ns("progress");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:0b:01", "p1")).exit_code, 0);
  ControllerProcess controller("progress", ConfigFor(ns.name()));
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Assigned"); })) << controller.Log();

  BootEventQueue queue;
  BootStatusWriter writer(Client(), queue, BootStatusWriterOptions{}, nullptr);
  writer.Start();
  BootdEvents bootd(queue, ns.name() + "/m1", "52:54:00:00:0b:01");
  bootd.Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi firmware-pxe");
  bootd.Send(v1alpha1::BOOT_STAGE_DHCP_OFFER, "10.0.0.100 snponly.efi");
  bootd.Send(v1alpha1::BOOT_STAGE_DHCP_ACK, "10.0.0.100 snponly.efi");
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Booting"); })) << controller.Log();
  bootd.Send(v1alpha1::BOOT_STAGE_BOOT_FILE, "snponly.efi");
  bootd.Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi ipxe", true);
  bootd.Send(v1alpha1::BOOT_STAGE_SCRIPT, "boot.ipxe");
  bootd.Send(v1alpha1::BOOT_STAGE_KERNEL, "vmlinuz");
  bootd.Send(v1alpha1::BOOT_STAGE_INITRD, "initrd.img");
  bootd.Send(v1alpha1::BOOT_STAGE_BOOTED);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Provisioned"); })) << controller.Log();

  value m1 = GetMachine(ns.name(), "m1");
  for (const char* s :
       {"dhcp_discover", "dhcp_offer", "dhcp_ack", "boot_file", "script", "kernel", "initrd", "booted"}) {
    const value* rec = Stage(m1, s);
    ASSERT_NE(rec, nullptr) << s << " missing in " << m1.at("status").serialize();
    EXPECT_GT(model::ParseTimeMicros(rec->at("time").as_string()), 0) << s;
  }
  EXPECT_EQ(Stage(m1, "kernel")->at("detail").as_string(), "vmlinuz");
  const value& st = m1.at("status");
  EXPECT_EQ(st.at("bootProgress").at("lastStage").as_string(), "booted");
  EXPECT_EQ(st.at("bootProgress").at("bootCount").as_integer(), 1);
  EXPECT_EQ(st.at("detected").at("firmware").as_string(), "uefi");
  EXPECT_EQ(st.at("detected").at("architecture").as_string(), "x86_64");
  EXPECT_EQ(st.at("detected").at("clientArch").as_integer(), 7);
  EXPECT_EQ(st.at("detected").at("userClass").as_string(), "iPXE");
  EXPECT_EQ(StatusField(m1, "ipv4"), "10.0.0.100") << "reconcile's fields survive the progress writes";
  EXPECT_EQ(ConditionStatus(m1, "BootLoop"), "False");
  EXPECT_EQ(ConditionStatus(m1, "ProfileResolved"), "True");
  // Events follow the status write that produced them.
  std::string events;
  EXPECT_TRUE(WaitUntil([&] {
    events = EventsOf(ns.name(), "m1");
    return events.find("Booted") != std::string::npos;
  }));
  for (const char* reason : {"DhcpDiscover", "DhcpAck", "BootFile", "Script", "Kernel", "Initrd", "Booted"}) {
    EXPECT_NE(events.find(reason), std::string::npos) << reason << "\n" << events;
  }

  // Our status writes and a label edit both make the controller reconcile m1;
  // a Machine created afterwards being Assigned shows it got that far.
  ASSERT_EQ(Kubectl("label machine -n " + ns.name() + " m1 touched=yes").exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m2", "52:54:00:00:0b:02", "p1")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m2", "Assigned"); })) << controller.Log();
  EXPECT_TRUE(PhaseIs(ns.name(), "m1", "Provisioned")) << controller.Log();

  // A new profile generation: a new boot is expected, the phase resets.
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS1")).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Assigned"); })) << controller.Log();
  bootd.Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi firmware-pxe");
  bootd.Send(v1alpha1::BOOT_STAGE_ERROR, "kernel sha256 mismatch");
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Failed"); })) << controller.Log();
  m1 = GetMachine(ns.name(), "m1");
  EXPECT_EQ(m1.at("status").at("lastError").at("message").as_string(), "kernel sha256 mismatch");
  EXPECT_EQ(m1.at("status").at("lastError").at("stage").as_string(), "dhcp_discover");
  EXPECT_EQ(m1.at("status").at("bootProgress").at("bootCount").as_integer(), 2);
  EXPECT_TRUE(WaitUntil([&] { return EventsOf(ns.name(), "m1").find("BootError") != std::string::npos; }));
  writer.Stop();
  EXPECT_GE(writer.status_writes(), 3u);
}

TEST(BootProgressTest, RepeatedRestartsSetTheBootLoopCondition) {
  TestNamespace ns("bootloop");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:0c:01", "p1")).exit_code, 0);
  ControllerProcess controller("bootloop", ConfigFor(ns.name()));
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "m1", "Assigned"); })) << controller.Log();

  LoopingWriter progress;
  BootdEvents bootd(progress.queue, ns.name() + "/m1", "52:54:00:00:0c:01");
  SendRestartingBoots(bootd, 3);
  ASSERT_TRUE(WaitUntil([&] { return ConditionStatus(GetMachine(ns.name(), "m1"), "BootLoop") == "True"; }))
      << GetMachine(ns.name(), "m1").serialize() << controller.Log();
  value m1 = GetMachine(ns.name(), "m1");
  EXPECT_EQ(ConditionReason(m1, "BootLoop"), "RepeatedRestarts");
  EXPECT_NE(ConditionMessage(m1, "BootLoop").find("2 times"), std::string::npos) << ConditionMessage(m1, "BootLoop");
  EXPECT_EQ(StatusField(m1, "phase"), "Booting");
  EXPECT_TRUE(WaitUntil([&] { return EventsOf(ns.name(), "m1").find("BootLoop") != std::string::npos; }));

  bootd.Send(v1alpha1::BOOT_STAGE_INITRD, "initrd.img");
  bootd.Send(v1alpha1::BOOT_STAGE_BOOTED);
  ASSERT_TRUE(WaitUntil([&] { return ConditionStatus(GetMachine(ns.name(), "m1"), "BootLoop") == "False"; }));
  EXPECT_TRUE(PhaseIs(ns.name(), "m1", "Provisioned"));
}

// The Ready condition through the real door: `kubectl wait` on the
// fully-qualified name while the real controller reconciles and boot
// progress writes BootLoop, booted and a boot error; `kubectl get rbm`
// shows the Ready, Error and (wide) Reason columns.
TEST(BootProgressTest, KubectlWaitForReadyFollowsAssignmentBootLoopAndBootErrors) {
  TestNamespace ns("ready");
  const std::string machine = "machines.rackboot.io/m1";
  auto wait = [&](const std::string& condition) {
    return Kubectl("wait -n " + ns.name() + " --for=condition=" + condition + " --timeout=60s " + machine);
  };
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "m1", "52:54:00:00:0f:01", "p1")).exit_code, 0);
  ControllerProcess controller("ready", ConfigFor(ns.name()));

  // The profile does not exist yet: not Ready, and the reason says why.
  auto waited = wait("Ready=false");
  ASSERT_EQ(waited.exit_code, 0) << waited.output << controller.Log();
  EXPECT_EQ(ConditionReason(GetMachine(ns.name(), "m1"), "Ready"), "ProfileNotFound");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p1", "console=ttyS0")).exit_code, 0);
  waited = wait("Ready");
  ASSERT_EQ(waited.exit_code, 0) << waited.output << controller.Log();
  value m1 = GetMachine(ns.name(), "m1");
  EXPECT_EQ(ConditionReason(m1, "Ready"), "Published");
  EXPECT_NE(ConditionMessage(m1, "Ready").find("rack rack-a"), std::string::npos) << ConditionMessage(m1, "Ready");

  LoopingWriter progress;
  BootdEvents bootd(progress.queue, ns.name() + "/m1", "52:54:00:00:0f:01");
  SendRestartingBoots(bootd, 3);
  waited = wait("Ready=false");
  ASSERT_EQ(waited.exit_code, 0) << waited.output << GetMachine(ns.name(), "m1").serialize() << controller.Log();
  EXPECT_EQ(ConditionReason(GetMachine(ns.name(), "m1"), "Ready"), "BootLoop");
  auto wide = Kubectl("get rbm -o wide -n " + ns.name());
  EXPECT_NE(wide.output.find("READY"), std::string::npos) << wide.output;
  EXPECT_NE(wide.output.find("BootLoop"), std::string::npos) << wide.output;

  bootd.Send(v1alpha1::BOOT_STAGE_INITRD, "initrd.img");
  bootd.Send(v1alpha1::BOOT_STAGE_BOOTED);
  waited = wait("Ready");
  ASSERT_EQ(waited.exit_code, 0) << waited.output << controller.Log();
  EXPECT_TRUE(PhaseIs(ns.name(), "m1", "Provisioned"));

  // The next boot fails in bootd: not Ready, the Error column says why.
  bootd.Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi firmware-pxe");
  bootd.Send(v1alpha1::BOOT_STAGE_ERROR, "kernel 0123 unavailable: HTTP 404");
  waited = wait("Ready=false");
  ASSERT_EQ(waited.exit_code, 0) << waited.output << controller.Log();
  m1 = GetMachine(ns.name(), "m1");
  EXPECT_EQ(ConditionReason(m1, "Ready"), "BootError");
  EXPECT_NE(ConditionMessage(m1, "Ready").find("kernel 0123 unavailable: HTTP 404"), std::string::npos);
  auto table = Kubectl("get rbm -n " + ns.name());
  EXPECT_NE(table.output.find("ERROR"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("kernel 0123 unavailable: HTTP 404"), std::string::npos) << table.output;
  progress.writer.Stop();
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

// Unknown MACs (bootd sends no machine name): with discovery on, one
// Discovered Machine per MAC, however often it asks, up to the limit.
TEST(BootProgressTest, DiscoveryCreatesOneDiscoveredMachinePerUnknownMacUpToTheLimit) {
  TestNamespace ns("discovery");
  ControllerProcess controller("discovery", ConfigFor(ns.name()));
  BootEventQueue queue;
  BootStatusWriterOptions options;
  options.discovery.create_machines = true;
  options.discovery.namespace_ = ns.name();
  options.discovery.max_machines = 2;
  BootStatusWriter writer(Client(), queue, options, nullptr);
  writer.Start();
  for (int round = 0; round < 3; ++round) {
    for (const char* mac : {"52:54:00:00:0d:01", "52:54:00:00:0d:02", "52:54:00:00:0d:03"}) {
      BootdEvents(queue, "", mac).Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-uefi firmware-pxe");
    }
  }
  ASSERT_TRUE(WaitUntil([&] {
    return PhaseIs(ns.name(), "discovered-525400000d01", "Discovered") &&
           PhaseIs(ns.name(), "discovered-525400000d02", "Discovered");
  })) << controller.Log();
  writer.Stop();
  EXPECT_EQ(writer.discovered(), 2u);
  value m = GetMachine(ns.name(), "discovered-525400000d01");
  EXPECT_EQ(m.at("metadata").at("labels").at("rackboot.io/discovered").as_string(), "true");
  EXPECT_EQ(m.at("metadata").at("labels").at("rackboot.io/rack").as_string(), "rack-a");
  EXPECT_EQ(m.at("spec").at("interfaces").at(0).at("mac").as_string(), "52:54:00:00:0d:01");
  EXPECT_FALSE(m.at("spec").has_field("bootProfileRef"));
  EXPECT_EQ(m.at("status").at("detected").at("firmware").as_string(), "uefi");
  EXPECT_EQ(m.at("status").at("detected").at("mac").as_string(), "52:54:00:00:0d:01");
  auto list = KubectlJson("get machines -n " + ns.name() + " -l rackboot.io/discovered=true");
  EXPECT_EQ(list.at("items").size(), 2u) << "bounded by maxMachines";

  // The controller reconciles it (finalizer) and keeps the phase.
  ASSERT_TRUE(WaitUntil([&] {
    auto d = GetMachine(ns.name(), "discovered-525400000d01");
    return d.at("metadata").has_field("finalizers");
  })) << controller.Log();
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "later", "52:54:00:00:0d:09", "")).exit_code, 0);
  // A Machine someone created without a profile is a known machine (lease
  // only, pushed to bootd); the Discovered ones stay unknown to bootd.
  ASSERT_TRUE(WaitUntil([&] { return PhaseIs(ns.name(), "later", "Assigned"); })) << controller.Log();
  EXPECT_EQ(ConditionReason(GetMachine(ns.name(), "later"), "NetbootEnabled"), "NoBootProfile");
  EXPECT_TRUE(WaitUntil([&] {
    return ConditionReason(GetMachine(ns.name(), "discovered-525400000d01"), "NetbootEnabled") == "Discovered";
  })) << controller.Log();
  EXPECT_TRUE(PhaseIs(ns.name(), "discovered-525400000d01", "Discovered")) << controller.Log();
}

TEST(BootProgressTest, UnknownMacsCreateNothingWhenDiscoveryIsOff) {
  TestNamespace ns("nodiscovery");
  BootEventQueue queue;
  BootStatusWriter writer(Client(), queue, BootStatusWriterOptions{}, nullptr);
  BootdEvents(queue, "", "52:54:00:00:0e:01").Send(v1alpha1::BOOT_STAGE_DHCP_DISCOVER, "x86_64-bios firmware-pxe");
  writer.Process(queue.PopAll(std::chrono::milliseconds(0)));
  EXPECT_EQ(writer.discovered(), 0u);
  auto list = KubectlJson("get machines -n " + ns.name());
  ASSERT_TRUE(list.is_object());
  EXPECT_EQ(list.at("items").size(), 0u);
}

}  // namespace
}  // namespace rackboot::testing
