// The whole system: a real apiserver (fixture "k8s"), a BootProfile and a
// Machine applied with kubectl, rackboot-controller and bootd as real
// processes -- bootd inside the QEMU lab's namespace in controller mode,
// dialing the controller's unix socket (see scripts/lab/bootd.sh) -- and a VM
// that PXE-boots DHCP -> (TFTP) -> iPXE -> HTTP -> kernel/initrd -> booted
// callback. The Machine's status must end Provisioned with a timestamp for
// every stage the firmware path goes through.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "controller/model/json_fields.h"
#include "tests/e2e/controller_lab.h"
#include "tests/e2e/dashboard_scrape.h"
#include "tests/e2e/lab_run.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

using web::json::value;

class ControllerBootTest : public ControllerLabTest {};

// `kernel`: the profile's kernel fields (an artifact-root path, or an
// upstream url + sha256 that bootd serves through its artifact cache).
std::string LabManifests(const std::string& ns, const std::string& mac, const std::string& kernel = "path: vmlinuz") {
  // The lab's own profile (scripts/lab/bootd.sh): the initrd prints the
  // marker and calls {{booted_url}}; ${ip}/${netmask} are iPXE's settings.
  return "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: lab-tiny\n  namespace: " + ns +
         "\nspec:\n  kernel:\n    " + kernel +
         "\n  initrds:\n  - path: initrd.img\n"
         "  cmdline: \"initrd=initrd.img console=ttyS0 quiet rb.mac={{machine.mac}} rb.ip=${ip} rb.mask=${netmask} "
         "rb.callback={{booted_url}}\"\n---\n" +
         MachineYaml(ns, "lab-vm", mac, "lab-tiny", "lab");
}

const value* StageRecord(const value& machine, const std::string& stage) {
  const value* status = model::Field(machine, "status");
  const value* bp = status ? model::Field(*status, "bootProgress") : nullptr;
  const value* stages = bp ? model::Field(*bp, "stages") : nullptr;
  if (!stages || !stages->is_array()) return nullptr;
  for (const auto& s : stages->as_array()) {
    if (model::StringAt(s, "stage") == stage) return &s;
  }
  return nullptr;
}

// The lab holds bootd up after the boot until the Machine's status has
// caught up (LabHold): bootd's last stage events reach the controller on
// bootd's own schedule (stream, EventAck), and a lab torn down at once could
// end bootd before they are acknowledged. With `dashboard`, a real
// Prometheus scrapes the controller and bootd through the boot
// (dashboard_scrape.h), the kernel comes through bootd's artifact cache (an
// upstream URL, so the cache's panel has data), and every dashboard
// expression is checked while bootd still serves.
void BootThroughController(ControllerBootTest& t, const std::string& firmware, const std::string& mac,
                           const std::vector<std::string>& stages, const std::string& want_firmware,
                           bool dashboard = false) {
  TestNamespace ns("e2e-" + firmware);
  std::string kernel = "path: vmlinuz";
  if (dashboard) {
    const UpstreamKernel upstream = LabKernelAsUpstream();
    ASSERT_FALSE(upstream.sha256.empty()) << "scripts/lab/boot --print-kernel";
    kernel = "url: " + upstream.url + "\n    sha256: " + upstream.sha256;
  }
  ASSERT_EQ(Kubectl("apply -f -", LabManifests(ns.name(), mac, kernel)).exit_code, 0);
  const int metrics_port = dashboard ? FreeLoopbackPort() : 0;
  ControllerProcess controller("e2e", t.ControllerConfig(ns.name(), metrics_port));
  auto phase = [&] { return StatusField(KubectlJson("get machine -n " + ns.name() + " lab-vm"), "phase"); };
  ASSERT_TRUE(WaitUntil([&] { return phase() == "Assigned"; })) << controller.Log();
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(t.Socket()); })) << controller.Log();

  std::vector<std::string> args = t.LabArgs(mac, firmware);
  std::unique_ptr<DashboardScrape> scrape;
  auto hold = std::make_unique<LabHold>(t.dir_);
  if (dashboard) {
    scrape = std::make_unique<DashboardScrape>(t.dir_, metrics_port);
    const auto more = scrape->LabArgs();
    args.insert(args.end(), more.begin(), more.end());
  }
  const auto hold_args = hold->Args();
  args.insert(args.end(), hold_args.begin(), hold_args.end());
  std::future<BootRun> boot = std::async(std::launch::async, [&] { return Boot(args); });
  // Declared after `boot`: released first, so the lab can end.
  std::unique_ptr<LabHold> release = std::move(hold);
  ShellResult check;
  std::string http_error;
  const bool held = release->Wait(boot, std::chrono::seconds(300)) && release->info()["result"] == "booted";
  // The boot is over and bootd still serves: the status catches up
  // whenever bootd's stream delivers the events.
  if (held && WaitUntil([&] { return phase() == "Provisioned"; }, std::chrono::seconds(120)) && dashboard) {
    // The controller has written the booted stage: both binaries' counters
    // are final for this boot. One request for an artifact that does not
    // exist: the HTTP errors panel counts real 4xx answers (status codes are
    // not pre-created).
    auto info = release->info();
    http_error = HttpStatusInNetns(info["srv_netns"], info["bootd_url"] + "/artifacts/no-such-artifact");
    check = scrape->CheckDashboard("lab");
  }
  release->Release();
  BootRun run = boot.get();
  ASSERT_EQ(run.exit_code, 0) << run.output << controller.Log();
  if (dashboard) {
    EXPECT_EQ(http_error, "404");
    EXPECT_EQ(check.exit_code, 0) << check.output << scrape->Logs();
    std::printf("%s", check.output.c_str());
  }
  EXPECT_EQ(run.result["result"], "booted") << run.output;

  value machine;
  ASSERT_TRUE(WaitUntil([&] {
    machine = KubectlJson("get machine -n " + ns.name() + " lab-vm");
    return StatusField(machine, "phase") == "Provisioned";
  })) << machine.serialize()
      << "\n"
      << controller.Log();
  const std::string out = Kubectl("get machine -n " + ns.name() + " lab-vm -o json").output;
  int64_t first = 0, last = 0;
  for (const std::string& s : stages) {
    const value* rec = StageRecord(machine, s);
    ASSERT_NE(rec, nullptr) << "no " << s << " in status\n" << out;
    const int64_t at = model::ParseTimeMicros(model::StringAt(*rec, "time"));
    EXPECT_GT(at, 0) << s << "\n" << out;
    if (!first || at < first) first = at;
    last = std::max(last, at);
  }
  const value& status = machine.at("status");
  EXPECT_EQ(status.at("bootProgress").at("lastStage").as_string(), "booted") << out;
  EXPECT_EQ(status.at("detected").at("firmware").as_string(), want_firmware) << out;
  EXPECT_EQ(status.at("detected").at("mac").as_string(), mac) << out;
  EXPECT_EQ(ConditionStatus(machine, "BootLoop"), "False") << out;
  // What an operator waits on (reconcile follows the boot writes; bounded).
  auto ready = Kubectl("wait -n " + ns.name() + " --for=condition=Ready --timeout=60s machines.rackboot.io/lab-vm");
  EXPECT_EQ(ready.exit_code, 0) << ready.output << "\n" << Kubectl("get rbm -o yaml -n " + ns.name()).output;
  std::printf("e2e %s: VM boot %.1f s (lab total), first stage -> booted in Machine status %.1f s\n", firmware.c_str(),
              std::atof(run.result["total_ms"].c_str()) / 1000.0, static_cast<double>(last - first) / 1e6);
  // Events are posted after the status write, asynchronously.
  std::string events;
  EXPECT_TRUE(WaitUntil([&] {
    events = Kubectl("get events -n " + ns.name() + " --field-selector involvedObject.name=lab-vm").output;
    return events.find("Booted") != std::string::npos;
  })) << events;
  EXPECT_TRUE(controller.Running()) << controller.Log();
}

// SeaBIOS with QEMU's iPXE ROM: iPXE is the NIC's firmware, so no TFTP boot file.
TEST_F(ControllerBootTest, BiosIpxeBootIsProvisionedInMachineStatus) {
  BootThroughController(*this, "bios", "52:54:00:7b:30:01",
                        {"dhcp_discover", "dhcp_offer", "dhcp_ack", "script", "kernel", "initrd", "booted"}, "bios");
}

// OVMF's PXE: TFTP hands it iPXE (snponly.efi), which then fetches the
// script. The path with every stage (TFTP included), so a real Prometheus
// scrapes this boot: every expression of the Grafana dashboard
// (deploy/grafana/rackboot-boot-progress.json) must parse and return data
// for rack "lab" from the real controller and bootd (docs/metrics.md).
TEST_F(ControllerBootTest, UefiPxeBootIsProvisionedInMachineStatus) {
  const std::string missing = DashboardScrape::Missing();
  ASSERT_TRUE(missing.empty()) << missing;
  BootThroughController(
      *this, "uefi-pxe", "52:54:00:7b:30:02",
      {"dhcp_discover", "dhcp_offer", "dhcp_ack", "boot_file", "script", "kernel", "initrd", "booted"}, "uefi",
      /*dashboard=*/true);
}

// The controller dies (SIGKILL) while the VM boots: bootd keeps serving from
// what it holds and keeps the stage events of the outage unacknowledged; a
// new controller process gets them on bootd's next stream, and the status
// catches up. The lab holds bootd up after the boot until the status has
// caught up, so the outcome does not depend on whether bootd's reconnect
// backoff ends before the guest has booted.
TEST_F(ControllerBootTest, ControllerKilledMidBootStatusCatchesUpAfterRestart) {
  const std::string mac = "52:54:00:7b:30:03";
  TestNamespace ns("e2e-kill");
  ASSERT_EQ(Kubectl("apply -f -", LabManifests(ns.name(), mac)).exit_code, 0);
  auto controller = std::make_unique<ControllerProcess>("e2e-kill", ControllerConfig(ns.name()));
  auto phase = [&] { return StatusField(KubectlJson("get machine -n " + ns.name() + " lab-vm"), "phase"); };
  ASSERT_TRUE(WaitUntil([&] { return phase() == "Assigned"; })) << controller->Log();
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(Socket()); })) << controller->Log();

  auto hold = std::make_unique<LabHold>(dir_);
  std::vector<std::string> args = LabArgs(mac);
  const auto hold_args = hold->Args();
  args.insert(args.end(), hold_args.begin(), hold_args.end());
  std::future<BootRun> boot = std::async(std::launch::async, [&] { return Boot(args); });
  std::unique_ptr<LabHold> release = std::move(hold);  // released before `boot` is waited for
  // Booting: the first DHCP stages went through; then the controller dies
  // and stays away for a few seconds of the boot (an outage, not a check).
  const bool booting = WaitUntil([&] { return phase() == "Booting"; }, std::chrono::seconds(120));
  controller->Kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const std::string at_restart = phase();
  controller = std::make_unique<ControllerProcess>("e2e-kill-2", ControllerConfig(ns.name()));
  const bool held = release->Wait(boot, std::chrono::seconds(300));
  value machine;
  const bool provisioned = held && WaitUntil(
                                       [&] {
                                         machine = KubectlJson("get machine -n " + ns.name() + " lab-vm");
                                         return StatusField(machine, "phase") == "Provisioned";
                                       },
                                       std::chrono::seconds(120));
  release->Release();
  BootRun run = boot.get();
  ASSERT_TRUE(booting) << run.output;
  ASSERT_EQ(run.exit_code, 0) << run.output << controller->Log();
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  EXPECT_EQ(at_restart, "Booting") << "nobody wrote status while the controller was down";
  ASSERT_TRUE(provisioned) << machine.serialize() << "\n" << controller->Log();
  // Every stage, also those bootd reported just before the kill: bootd gets
  // its EventAck only after the status write, so what the dead controller
  // had not written comes again to the new one.
  for (const char* s : {"dhcp_discover", "dhcp_offer", "dhcp_ack", "script", "kernel", "initrd", "booted"}) {
    EXPECT_NE(StageRecord(machine, s), nullptr) << s << "\n" << machine.serialize();
  }
}

// The retry loop of the built-in iPXE script through the Kubernetes door:
// the BootProfile, applied with kubectl, names the kernel at the lab's
// mirror, which answers its first request 503; the controller pushes it,
// bootd's artifact cache relays the 503, real iPXE retries and boots
// (lab_boot_test has the same through standalone manifests).
TEST_F(ControllerBootTest, BuiltInScriptRetriesAFailedKernelFetch) {
  const std::string mac = "52:54:00:7b:30:06";
  const UpstreamKernel flaky = LabKernelAsFlakyUpstream();
  ASSERT_FALSE(flaky.sha256.empty()) << "scripts/lab/boot --print-kernel";
  TestNamespace ns("e2e-retry");
  ASSERT_EQ(Kubectl("apply -f -", LabManifests(ns.name(), mac, "url: " + flaky.url + "\n    sha256: " + flaky.sha256))
                .exit_code,
            0);
  ControllerProcess controller("e2e-retry", ControllerConfig(ns.name()));
  auto phase = [&] { return StatusField(KubectlJson("get machine -n " + ns.name() + " lab-vm"), "phase"); };
  ASSERT_TRUE(WaitUntil([&] { return phase() == "Assigned"; })) << controller.Log();
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(Socket()); })) << controller.Log();
  std::vector<std::string> args = LabArgs(mac);
  args.insert(args.end(), {"--flaky-upstream", "1"});
  BootRun run = Boot(args);
  ASSERT_EQ(run.exit_code, 0) << run.output << controller.Log();
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  EXPECT_EQ(run.result["upstream_failures"], "1") << run.output;
  EXPECT_EQ(run.result["upstream_requests"], "2") << run.output;
  EXPECT_NE(run.result["console_retry"].find("retry 1 of"), std::string::npos) << run.output;
}

// bootd restarted while the controller is down (the lab kills the
// controller once bootd holds the assignment, then restarts bootd): the next
// boot is answered from bootd's persisted snapshot alone.
TEST_F(ControllerBootTest, BootdRestartedWhileControllerDownBootsFromPersistedSnapshot) {
  const std::string mac = "52:54:00:7b:30:04";
  TestNamespace ns("e2e-snap");
  ASSERT_EQ(Kubectl("apply -f -", LabManifests(ns.name(), mac)).exit_code, 0);
  ControllerProcess controller("e2e-snap", ControllerConfig(ns.name()));
  ASSERT_TRUE(WaitUntil([&] {
    return StatusField(KubectlJson("get machine -n " + ns.name() + " lab-vm"), "phase") == "Assigned";
  })) << controller.Log();
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(Socket()); })) << controller.Log();
  std::vector<std::string> args = LabArgs(mac);
  args.insert(args.end(), {"--controller-down-before-boot", std::to_string(controller.pid())});
  BootRun run = Boot(args);
  EXPECT_FALSE(controller.Running()) << "the lab killed the controller before the boot";
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  EXPECT_NE(run.output.find("bootd restarted from its persisted snapshot"), std::string::npos) << run.output;
  EXPECT_NE(run.result["console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
}

// bootOnce end to end (issue 13): the first power-on installs (booted,
// Provisioned); then the controller is restarted, and in the second boot's
// lab bootd is restarted with the controller down (serving its persisted
// snapshot): the VM gets a lease but no boot file and its firmware falls
// through ("Nothing to boot"), while the Machine says why
// (NetbootEnabled=False, BootOnceCompleted). The re-provision action
// (kubectl annotate rackboot.io/reprovision) makes the third boot install
// again. No step waits on a timer: each boot starts only after the status
// (and so every later push) says what it must find, and the labs that boot
// hold bootd until the status has caught up.
TEST_F(ControllerBootTest, BootOnceInstallsFallsThroughAfterRestartsAndReprovisions) {
  const std::string mac = "52:54:00:7b:30:05";
  TestNamespace ns("e2e-once");
  ASSERT_EQ(Kubectl("apply -f -", LabManifests(ns.name(), mac) + "  netboot: {bootOnce: true}\n").exit_code, 0);
  auto machine = [&] { return KubectlJson("get machine -n " + ns.name() + " lab-vm"); };
  auto netboot = [&] { return ConditionReason(machine(), "NetbootEnabled"); };
  auto provisioned_under = [&](const std::string& token) {
    const value m = machine();
    const value* status = model::Field(m, "status");
    const value* p = status ? model::Field(*status, "provisioned") : nullptr;
    return StatusField(m, "phase") == "Provisioned" && ConditionReason(m, "NetbootEnabled") == "BootOnceCompleted" &&
           p != nullptr && model::StringAt(*p, "reprovision") == token;
  };
  // A controller on the socket, ready once it has created it.
  auto start_controller = [&](const std::string& name) {
    std::filesystem::remove(Socket());
    auto c = std::make_unique<ControllerProcess>(name, ControllerConfig(ns.name()));
    EXPECT_TRUE(WaitUntil([&] { return std::filesystem::exists(Socket()); })) << c->Log();
    return c;
  };
  const std::vector<std::string> lab = LabArgs(mac);
  // One boot that must install: held until the status shows `token`'s booted.
  auto install = [&](const std::string& token, ControllerProcess& c) {
    HeldBoot boot = BootHeldUntil(dir_, lab, [&] { return provisioned_under(token); });
    EXPECT_EQ(boot.run.exit_code, 0) << boot.run.output << c.Log();
    EXPECT_EQ(boot.run.result["result"], "booted") << boot.run.output;
    EXPECT_TRUE(boot.caught_up) << machine().serialize() << "\n" << c.Log();
    return boot.run;
  };

  // 1. First power-on: installs.
  auto controller = start_controller("e2e-once-1");
  ASSERT_TRUE(WaitUntil([&] { return netboot() == "Allowed"; })) << controller->Log();
  BootRun first = install("", *controller);
  ASSERT_TRUE(first.Reached("booted")) << first.output;

  // 2. Controller restarted; the new one derives "no netboot" from status
  // alone. The lab's bootd takes its snapshot, then the lab kills this
  // controller and restarts bootd, which answers from its persisted
  // snapshot: lease, no boot file, the firmware falls through.
  EXPECT_EQ(controller->Kill(SIGTERM), 0) << controller->Log();
  controller = start_controller("e2e-once-2");
  std::vector<std::string> second_args = lab;
  second_args.insert(second_args.end(),
                     {"--no-pxe", "--controller-down-before-boot", std::to_string(controller->pid())});
  BootRun second = Boot(second_args);
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.result["result"], "no_boot") << second.output;
  EXPECT_NE(second.output.find("bootd restarted from its persisted snapshot"), std::string::npos) << second.output;
  EXPECT_TRUE(second.Reached("dhcp_ack")) << "the lease stays: " << second.output;
  EXPECT_FALSE(second.Reached("boot_file") || second.Reached("script") || second.Reached("kernel")) << second.output;
  EXPECT_EQ(second.result["console"], "") << "nothing booted";

  // The status says why (a third controller, after the lab killed the second).
  controller = start_controller("e2e-once-3");
  ASSERT_TRUE(WaitUntil([&] { return netboot() == "BootOnceCompleted"; })) << controller->Log();
  const value m = machine();
  EXPECT_EQ(ConditionStatus(m, "NetbootEnabled"), "False");
  EXPECT_NE(ConditionMessage(m, "NetbootEnabled").find("rackboot.io/reprovision"), std::string::npos);
  EXPECT_NE(Kubectl("get machine -n " + ns.name() + " lab-vm").output.find("BootOnceCompleted"), std::string::npos);

  // 3. The re-provision action; the third power-on installs again.
  const std::string annotate =
      "annotate machine -n " + ns.name() + " lab-vm rackboot.io/reprovision=round-2 --overwrite";
  ASSERT_EQ(Kubectl(annotate).exit_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return netboot() == "Allowed"; })) << controller->Log();
  BootRun third = install("round-2", *controller);
  EXPECT_TRUE(third.Reached("script") && third.Reached("kernel")) << third.output;
  EXPECT_TRUE(controller->Running()) << controller->Log();
  std::printf("e2e bootOnce: 1st boot %s [%s], 2nd boot %s [%s], 3rd boot %s [%s]\n", first.result["result"].c_str(),
              first.result["stages"].c_str(), second.result["result"].c_str(), second.result["stages"].c_str(),
              third.result["result"].c_str(), third.result["stages"].c_str());
}

}  // namespace
}  // namespace rackboot::testing
