#pragma once
// What the e2e tests that boot a VM through the real controller share: a
// fixture with the test PKI and the controller's config for the lab's rack,
// scripts/lab/boot's arguments for bootd in controller mode, and a boot that
// holds the lab until the Machine's status has caught up.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tests/e2e/lab_run.h"

namespace rackboot::testing {

class ControllerLabTest : public ::testing::Test {
 public:
  void SetUp() override;
  void TearDown() override;

  // The controller watches `ns`; rack "lab" is the lab's subnet
  // (scripts/lab/lib.sh). metrics_port > 0: /metrics on 127.0.0.1:metrics_port.
  std::string ControllerConfig(const std::string& ns, int metrics_port = 0) const;
  std::string Socket() const { return dir_ + "/push.sock"; }
  // scripts/lab/boot's arguments for a VM booting through bootd in
  // controller mode, assignments from this test's controller socket.
  std::vector<std::string> LabArgs(const std::string& mac, const std::string& firmware = "bios") const;

  std::string dir_;
};

// One boot with scripts/lab/boot --hold: once the boot is over the lab keeps
// bootd serving until `caught_up` holds (bounded by `limit`), so bootd's last
// stage events reach the controller on bootd's own schedule and the outcome
// never depends on the lab's teardown racing them.
struct HeldBoot {
  BootRun run;
  bool held = false;       // the lab reached its hold (the boot is over)
  bool caught_up = false;  // `caught_up` held while the lab still served
};
HeldBoot BootHeldUntil(const std::string& dir, std::vector<std::string> args, const std::function<bool()>& caught_up,
                       std::chrono::seconds limit = std::chrono::seconds(120));

}  // namespace rackboot::testing
