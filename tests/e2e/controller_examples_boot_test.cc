// The shipped examples boot a VM end to end through the Kubernetes door:
// deploy/examples/bootprofile-*.yaml and machines.yaml, applied with kubectl
// to the real apiserver, pushed by the real rackboot-controller to bootd in
// the QEMU lab (controller mode), and PXE-booted by real firmware.
//
// What the lab changes in an example, and nothing else: the namespace, the
// rack (the lab's is "lab"), the kernel and initrd (the lab's small Debian
// kernel and busybox initrd instead of an installer's), and a cmdline suffix
// the lab's initrd needs (its address from iPXE, the serial console). The
// lab's initrd plays the installer (scripts/lab/lib.sh): it fetches the
// install config the example's cmdline names (preseed url=, cloud-init
// ds=nocloud-net;s=) and calls the booted callback found in the config's
// late command, so the Machine is Provisioned only if the install config
// reached the VM with its values rendered.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "controller/model/json_fields.h"
#include "tests/e2e/controller_lab.h"
#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

using web::json::value;

// What the lab's initrd needs on its cmdline: iPXE's address settings (the
// initrd writes its lines to the lab's serial port, ttyS0, whatever
// console= the example names).
constexpr const char* kLabCmdline = " initrd=initrd.img rb.mac={{machine.mac}} rb.ip=${ip} rb.mask=${netmask}";

std::string ReadSource(const std::string& path) {
  std::ifstream in(SourcePath(path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Emit(const YAML::Node& doc) {
  YAML::Emitter out;
  out << doc;
  return std::string(out.c_str()) + "\n";
}

// deploy/examples/<file>'s BootProfile with the lab's kernel and initrd.
std::string LabProfile(const std::string& file) {
  YAML::Node doc = YAML::Load(ReadSource("deploy/examples/" + file));
  YAML::Node spec = doc["spec"];
  spec["kernel"] = YAML::Load("{path: vmlinuz}");
  spec["initrds"] = YAML::Load("[{path: initrd.img}]");
  spec["cmdline"] = spec["cmdline"].as<std::string>() + kLabCmdline;
  return Emit(doc);
}

// The Machine `name` of deploy/examples/machines.yaml, in the lab's rack.
std::string LabMachine(const std::string& name) {
  for (YAML::Node doc : YAML::LoadAll(ReadSource("deploy/examples/machines.yaml"))) {
    if (doc["metadata"]["name"].as<std::string>() != name) continue;
    doc["spec"]["rack"] = "lab";
    return Emit(doc);
  }
  ADD_FAILURE() << "no Machine " << name << " in deploy/examples/machines.yaml";
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ExampleBootTest : public ControllerLabTest {
 protected:
  // Applies the example profile and Machine, starts the controller, boots
  // the Machine's primary MAC with `firmware`, holding the lab until the
  // Machine is Provisioned. Returns the Machine as the API server has it.
  value BootExample(const std::string& profile_file, const std::string& machine, const std::string& mac,
                    const std::string& firmware, BootRun* run) {
    TestNamespace& ns = *namespaces_.emplace_back(std::make_unique<TestNamespace>("e2e-example"));
    auto applied = Kubectl("apply -n " + ns.name() + " -f -", LabProfile(profile_file) + "---\n" + LabMachine(machine));
    EXPECT_EQ(applied.exit_code, 0) << applied.output;
    ControllerProcess controller("e2e-example", ControllerConfig(ns.name()));
    auto get = [&] { return KubectlJson("get machine -n " + ns.name() + " " + machine); };
    EXPECT_TRUE(WaitUntil([&] { return StatusField(get(), "phase") == "Assigned"; })) << controller.Log();
    EXPECT_TRUE(WaitUntil([&] { return std::filesystem::exists(Socket()); })) << controller.Log();
    std::vector<std::string> args = LabArgs(mac, firmware);
    args.insert(args.end(), {"--console-copy", Console()});
    HeldBoot boot = BootHeldUntil(dir_, args, [&] { return StatusField(get(), "phase") == "Provisioned"; });
    EXPECT_EQ(boot.run.exit_code, 0) << boot.run.output << controller.Log();
    EXPECT_EQ(boot.run.result["result"], "booted") << boot.run.output;
    EXPECT_TRUE(boot.caught_up) << get().serialize() << "\n" << controller.Log();
    EXPECT_TRUE(controller.Running()) << controller.Log();
    *run = boot.run;
    std::printf("e2e example %s/%s (%s): %s [%s] in %.1f s\n", profile_file.c_str(), machine.c_str(), firmware.c_str(),
                run->result["result"].c_str(), run->result["stages"].c_str(),
                std::atof(run->result["total_ms"].c_str()) / 1000.0);
    return get();
  }
  std::string Console() const { return dir_ + "/console.txt"; }

  std::vector<std::unique_ptr<TestNamespace>> namespaces_;
};

// The Debian example: a menu (default "install" after 5 s), a preseed
// install config, bootOnce, a parameter override (console) and a boot-file
// override for UEFI (snponly.efi over TFTP), booted by OVMF's PXE as the
// Machine's firmware: uefi says.
TEST_F(ExampleBootTest, DebianPreseedWithMenuBootsThroughTheController) {
  BootRun run;
  const value machine = BootExample("bootprofile-debian.yaml", "node-a01", "52:54:00:12:34:01", "uefi-pxe", &run);
  ASSERT_FALSE(HasFailure());
  for (const char* s : {"dhcp_ack", "boot_file", "script", "kernel", "initrd", "booted"}) {
    EXPECT_TRUE(run.Reached(s)) << s << "\n" << run.output;
  }
  // spec.bootFileOverrides: x86_64-uefi -> snponly.efi.
  EXPECT_NE(run.result["server_tftp_log"].find("snponly.efi"), std::string::npos) << run.result["server_tftp_log"];
  // The menu was shown and its default entry booted.
  const std::string console = ReadFile(Console());
  EXPECT_NE(console.find("Install Debian 12 (preseeded)"), std::string::npos) << console;
  EXPECT_NE(console.find("Boot from local disk"), std::string::npos) << console;
  // The kernel got the example's values: spec.parameters overrides the
  // profile's console default; the preseed URL is bootd's.
  const std::string cmdline = run.result["console_cmdline"];
  EXPECT_NE(cmdline.find("console=ttyS1,115200 "), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("hostname=node-a01.lab.example.com "), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("auto=true priority=critical "), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("url=http://"), std::string::npos) << cmdline;
  // The preseed reached the VM with the hostname and the booted callback.
  const std::string install = run.result["console_install"];
  EXPECT_NE(install.find("RACKBOOT-INSTALL-CONFIG ok "), std::string::npos) << install << "\n" << console;
  EXPECT_NE(install.find(" hostname=node-a01.lab.example.com "), std::string::npos) << install;
  EXPECT_NE(install.find("/booted/"), std::string::npos) << install;
  EXPECT_NE(run.result["console_callback"].find("RACKBOOT-CALLBACK ok"), std::string::npos) << run.output;
  // The Machine: UEFI detected, bootOnce completed, its static address.
  EXPECT_EQ(machine.at("status").at("detected").at("firmware").as_string(), "uefi") << machine.serialize();
  EXPECT_EQ(ConditionReason(machine, "NetbootEnabled"), "BootOnceCompleted") << machine.serialize();
  EXPECT_NE(cmdline.find("rb.ip=10.77.0.21 "), std::string::npos) << "iPXE's address: spec.interfaces[0].ipv4\n"
                                                                  << cmdline;
}

// The Ubuntu example: its own full iPXE template, cloud-init user-data and
// meta-data (NoCloud over HTTP, ds=nocloud-net;s={{config_base}}), a
// required parameter set by the Machine, an address from the rack's pool.
TEST_F(ExampleBootTest, UbuntuCloudInitWithOwnIpxeTemplateBootsThroughTheController) {
  BootRun run;
  const value machine = BootExample("bootprofile-ubuntu-cloudinit.yaml", "node-a02", "52:54:00:12:34:11", "bios", &run);
  ASSERT_FALSE(HasFailure());
  for (const char* s : {"dhcp_ack", "script", "kernel", "initrd", "booted"}) {
    EXPECT_TRUE(run.Reached(s)) << s << "\n" << run.output;
  }
  const std::string cmdline = run.result["console_cmdline"];
  EXPECT_NE(cmdline.find("ip=dhcp autoinstall ds=nocloud-net;s=http://"), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("console=ttyS0,115200 "), std::string::npos) << "the parameter's default\n" << cmdline;
  const std::string install = run.result["console_install"];
  EXPECT_NE(install.find("RACKBOOT-INSTALL-CONFIG ok "), std::string::npos) << install << "\n" << ReadFile(Console());
  EXPECT_NE(install.find("user-data"), std::string::npos) << install;
  EXPECT_NE(install.find(" hostname=node-a02 "), std::string::npos) << "meta-data's local-hostname\n" << install;
  EXPECT_NE(install.find("/booted/"), std::string::npos) << install;
  const value* status = model::Field(machine, "status");
  ASSERT_NE(status, nullptr) << machine.serialize();
  EXPECT_EQ(model::StringAt(*status, "phase"), "Provisioned");
}

}  // namespace
}  // namespace rackboot::testing
