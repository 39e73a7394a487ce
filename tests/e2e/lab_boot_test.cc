// End-to-end boots in the QEMU lab (scripts/lab/boot). Each case boots one VM
// with real firmware and asserts on two independent witnesses: the boot
// server's own records of the stages, and the VM's serial console (the
// initrd prints "RACKBOOT-BOOTED mac=..." and the callback result).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/lab_run.h"
#include "tests/support/test_paths.h"

namespace {

using rackboot::testing::BinaryPath;
using rackboot::testing::Boot;
using rackboot::testing::BootRun;
using rackboot::testing::kLabBootBoundSeconds;
using rackboot::testing::LabUsable;

class LabBootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    // A missing tool is a failure, not a skip: scripts/test installs them.
    ASSERT_TRUE(LabUsable(&why)) << why;
  }
};

// The lab itself, without rackboot: dnsmasq + busybox httpd boot SeaBIOS with
// QEMU's iPXE ROM. If this fails, the lab is broken, not bootd.
TEST_F(LabBootTest, ReferenceStackBiosIpxe) {
  const std::string mac = "52:54:00:7b:10:01";
  BootRun run = Boot({"--stack", "reference", "--firmware", "bios", "--mac", mac, "--timeout", kLabBootBoundSeconds});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  for (const char* s : {"dhcp_offer", "dhcp_ack", "script", "kernel", "initrd", "marker", "booted", "poweroff"}) {
    EXPECT_TRUE(run.Reached(s)) << "stage " << s << " missing\n" << run.output;
  }
  EXPECT_NE(run.result["console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
  EXPECT_NE(run.result["console_callback"].find("RACKBOOT-CALLBACK ok"), std::string::npos) << run.output;
}

// bootd (standalone manifests) as the whole boot server. `args` pick the
// firmware path and DHCP mode; the stages must appear in bootd's own records
// (GET /api/v1/events/<mac>) and the marker + callback on the console.
void ExpectBootThroughBootd(const std::string& mac, const std::vector<std::string>& args,
                            const std::vector<std::string>& stages) {
  std::vector<std::string> all = {"--stack", "bootd", "--bootd",   BinaryPath("bootd/bootd"),
                                  "--mac",   mac,     "--timeout", kLabBootBoundSeconds};
  all.insert(all.end(), args.begin(), args.end());
  BootRun run = Boot(all);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  const std::string& records = run.result["server_records"];
  for (const std::string& s : stages) {
    bool recorded = records.find("\"stage\":\"" + s + "\"") != std::string::npos;
    // TFTP cannot always tell the client's MAC (no lease yet when the
    // firmware took its address from another server); its log line counts.
    if (s == "boot_file" && !recorded) {
      recorded = run.result["server_tftp_log"].find("stage=boot_file") != std::string::npos;
    }
    EXPECT_TRUE(recorded) << "bootd recorded no " << s << "\n" << records << "\n" << run.output;
  }
  EXPECT_NE(records.find("\"stage\":\"booted\""), std::string::npos) << records;
  // In server mode the lab runs no other IPv6 router advertiser: iPXE's
  // router solicitation must have been answered by bootd (else iPXE waits
  // ~13 s for IPv6 routers before it boots).
  if (std::find(args.begin(), args.end(), "server") != args.end()) {
    EXPECT_NE(run.result["router_solicitations_answered"], "0") << run.output;
    EXPECT_NE(run.result["router_solicitations_answered"], "") << run.output;
  }
  EXPECT_NE(run.result["console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
  EXPECT_NE(run.result["console_callback"].find("RACKBOOT-CALLBACK ok"), std::string::npos) << run.output;
}

TEST_F(LabBootTest, BootdBiosIpxe) {
  ExpectBootThroughBootd("52:54:00:7b:20:01", {"--firmware", "bios", "--dhcp", "server"},
                         {"dhcp_offer", "dhcp_ack", "script", "kernel", "initrd"});
}

TEST_F(LabBootTest, BootdUefiPxe) {
  ExpectBootThroughBootd("52:54:00:7b:20:02", {"--firmware", "uefi-pxe", "--dhcp", "server"},
                         {"dhcp_offer", "dhcp_ack", "boot_file", "script", "kernel", "initrd"});
}

// OVMF's own HTTP Boot (its PXE options switched off): DHCP answers the
// "HTTPClient" class with an http:// URL of ipxe.efi (its download is the
// boot_file stage, tied to the MAC by the lease), then iPXE as above.
TEST_F(LabBootTest, BootdUefiHttpBoot) {
  ExpectBootThroughBootd("52:54:00:7b:20:06", {"--firmware", "uefi-http", "--dhcp", "server"},
                         {"dhcp_offer", "dhcp_ack", "boot_file", "script", "kernel", "initrd"});
}

TEST_F(LabBootTest, BootdProxyBiosIpxe) {
  ExpectBootThroughBootd("52:54:00:7b:20:03", {"--firmware", "bios", "--dhcp", "proxy"},
                         {"dhcp_offer", "script", "kernel", "initrd"});
}

TEST_F(LabBootTest, BootdProxyUefiPxe) {
  ExpectBootThroughBootd("52:54:00:7b:20:04", {"--firmware", "uefi-pxe", "--dhcp", "proxy"},
                         {"dhcp_offer", "boot_file", "script", "kernel", "initrd"});
}

// The BootProfile's cmdline changes between two boots of the same VM (the
// manifest is rewritten; bootd reloads it via inotify): the first boot runs
// without the new parameter, the second with it.
TEST_F(LabBootTest, BootdProfileChangeTakesEffectOnSecondBoot) {
  const std::string mac = "52:54:00:7b:20:07";
  BootRun run = Boot({"--stack", "bootd", "--bootd", BinaryPath("bootd/bootd"), "--mac", mac, "--firmware", "bios",
                      "--second-boot-tag", "gen2", "--timeout", kLabBootBoundSeconds});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  EXPECT_NE(run.result["console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
  EXPECT_EQ(run.result["console"].find("tag="), std::string::npos) << run.output;
  EXPECT_NE(run.result["second_console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
  EXPECT_NE(run.result["second_console"].find("tag=gen2"), std::string::npos) << run.output;
}

// Overload and flaky mirrors answer "try again" (bootd's 503 past a
// client's limit, an upstream mirror's 503 relayed by the artifact cache),
// and iPXE retries no fetch by itself: the built-in script loops (imgfree,
// sleep, fetch again). Here the kernel's upstream answers its first request
// 503, so bootd cannot serve the first kernel fetch; the VM must still boot,
// through the retry loop as real iPXE runs it (its console says so), with
// the upstream asked twice.
TEST_F(LabBootTest, BootdBuiltInScriptRetriesAFailedKernelFetch) {
  const std::string mac = "52:54:00:7b:20:08";
  BootRun run = Boot({"--stack", "bootd", "--bootd", BinaryPath("bootd/bootd"), "--mac", mac, "--firmware", "bios",
                      "--flaky-upstream", "1", "--timeout", kLabBootBoundSeconds});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  EXPECT_NE(run.result["console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
  EXPECT_EQ(run.result["upstream_failures"], "1") << run.output;
  EXPECT_EQ(run.result["upstream_requests"], "2") << run.output;
  EXPECT_NE(run.result["console_retry"].find("retry 1 of"), std::string::npos) << run.output;
}

// netboot.allowPXE false: the machine still gets its lease (server mode) but
// never a boot file or script.
TEST_F(LabBootTest, BootdPxeDisabledGetsLeaseButNoBootFile) {
  const std::string mac = "52:54:00:7b:20:05";
  BootRun run = Boot({"--stack", "bootd", "--bootd", BinaryPath("bootd/bootd"), "--mac", mac, "--firmware", "bios",
                      "--no-pxe", "--timeout", "160"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "no_boot") << run.output;
  const std::string& records = run.result["server_records"];
  EXPECT_NE(records.find("\"stage\":\"dhcp_ack\""), std::string::npos) << records << run.output;
  for (const char* s : {"boot_file", "script", "kernel"}) {
    EXPECT_EQ(records.find(std::string("\"stage\":\"") + s + "\""), std::string::npos) << records;
  }
  EXPECT_TRUE(run.result["console"].empty()) << run.output;
}

}  // namespace
