#include "controller/progress/boot_state.h"

#include <gtest/gtest.h>

namespace rackboot::controller::progress {
namespace {

TEST(BootStateTest, RoundTripsThroughStatusJsonAndKeepsOtherFields) {
  MachineBootState st;
  st.phase = "Booting";
  st.progress.boot_count = 2;
  st.progress.restarts = 1;
  st.progress.last_stage = "kernel";
  st.progress.last_stage_millis = 1763900000123;
  st.progress.stages = {{"dhcp_discover", 1763900000001, 0, 0, "x86_64-bios firmware-pxe"},
                        {"kernel", 1763900000123, 5000000, 800, "vmlinuz"}};
  st.last_error = LastError{1763899999000, "script", "no such template"};
  DetectedClient d;
  d.architecture = "x86_64";
  d.firmware = "uefi";
  d.client_arch = 7;
  d.vendor_class = "PXEClient:Arch:00007:UNDI:003016";
  d.mac = "52:54:00:aa:00:01";
  d.unix_millis = 1763900000001;
  st.detected = d;
  st.conditions.push_back({"BootLoop", "False", "NoRestarts", "ok", 0, "2026-11-23T10:00:00Z"});
  st.provisioned = resolve::ProvisionRecord{"token-1", 4, 1763899990000};

  auto status = web::json::value::parse(R"({"ipv4":"10.0.0.5","observedGeneration":3,"phase":"Assigned"})");
  ApplyBootState(st, &status);
  EXPECT_EQ(status.at("ipv4").as_string(), "10.0.0.5") << "fields reconcile owns stay";
  EXPECT_EQ(status.at("observedGeneration").as_integer(), 3);
  EXPECT_EQ(status.at("phase").as_string(), "Booting");
  EXPECT_EQ(status.at("bootProgress").at("stages").at(1).at("time").as_string(), "2025-11-23T12:13:20.123000Z");
  EXPECT_EQ(status.at("provisioned").at("reprovision").as_string(), "token-1");
  EXPECT_EQ(BootStateFromStatus(status), st);
}

TEST(BootStateTest, EmptyStatusReadsEmpty) {
  EXPECT_EQ(BootStateFromStatus(web::json::value::null()), MachineBootState{});
  auto status = web::json::value::object();
  ApplyBootState(MachineBootState{}, &status);
  EXPECT_FALSE(status.has_field("bootProgress"));
  EXPECT_FALSE(status.has_field("lastError"));
}

}  // namespace
}  // namespace rackboot::controller::progress
