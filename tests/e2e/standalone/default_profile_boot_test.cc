// A VM whose MAC no Machine lists boots through standalone bootd because a
// BootProfile is annotated rackboot.io/default-for-unknown-machines: the
// AutoPXE default distro. Witnesses: bootd's own records for that MAC (with
// no machine name) and the VM's serial console.
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/lab_run.h"
#include "tests/support/test_paths.h"

namespace {

using rackboot::testing::BinaryPath;
using rackboot::testing::Boot;
using rackboot::testing::BootRun;
using rackboot::testing::kLabBootBoundSeconds;
using rackboot::testing::LabUsable;

TEST(StandaloneDefaultBootTest, UnknownMacBootsTheDefaultProfile) {
  std::string why;
  ASSERT_TRUE(LabUsable(&why)) << why;  // missing tools fail: scripts/test installs them
  const std::string mac = "52:54:00:7b:30:01";
  BootRun run = Boot({"--stack", "bootd", "--bootd", BinaryPath("bootd/bootd"), "--mac", mac, "--firmware", "bios",
                      "--default-profile", "--timeout", kLabBootBoundSeconds});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result["result"], "booted") << run.output;
  const std::string& records = run.result["server_records"];
  for (const char* s : {"dhcp_offer", "dhcp_ack", "script", "kernel", "initrd", "booted"}) {
    EXPECT_NE(records.find(std::string("\"stage\":\"") + s + "\""), std::string::npos)
        << "bootd recorded no " << s << "\n"
        << records;
  }
  // Served as the default, not as a Machine.
  EXPECT_EQ(records.find("\"machine\":\"lab-vm\""), std::string::npos) << records;
  EXPECT_NE(records.find("\"machine\":\"\""), std::string::npos) << records;
  EXPECT_NE(run.result["console"].find("RACKBOOT-BOOTED mac=" + mac), std::string::npos) << run.output;
  EXPECT_NE(run.result["console_callback"].find("RACKBOOT-CALLBACK ok"), std::string::npos) << run.output;
}

}  // namespace
