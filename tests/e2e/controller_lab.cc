#include "tests/e2e/controller_lab.h"

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>

#include "tests/integration/controller/kube_test_env.h"
#include "tests/support/test_paths.h"

namespace rackboot::testing {

void ControllerLabTest::SetUp() {
  std::string why;
  // A missing tool is a failure, not a skip: scripts/test installs them.
  ASSERT_TRUE(LabUsable(&why)) << why;
  char tmpl[] = "/tmp/rbt-e2e-ctl-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  const std::string cmd = SourcePath("tests/integration/grpc/make_test_pki.sh") + " " + dir_ + "/pki >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

void ControllerLabTest::TearDown() {
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::string ControllerLabTest::ControllerConfig(const std::string& ns, int metrics_port) const {
  return (metrics_port > 0 ? "metrics:\n  listen: 127.0.0.1:" + std::to_string(metrics_port) + "\n" : "") +
         "namespace: " + ns +
         "\nleaderElection:\n  enabled: false\n"
         "racks:\n- name: lab\n  subnet: 10.77.0.0/24\n  pool: {start: 10.77.0.50, end: 10.77.0.59}\n"
         "  router: 10.77.0.1\n"
         "grpc:\n  listen: 127.0.0.1:0\n  unixSocket: " +
         Socket() + "\n  tls:\n    caFile: " + dir_ + "/pki/ca.pem\n    certFile: " + dir_ +
         "/pki/controller.pem\n    keyFile: " + dir_ + "/pki/controller.key\n";
}

std::vector<std::string> ControllerLabTest::LabArgs(const std::string& mac, const std::string& firmware) const {
  return {"--stack",
          "bootd",
          "--bootd",
          BinaryPath("bootd/bootd"),
          "--mac",
          mac,
          "--firmware",
          firmware,
          "--dhcp",
          "server",
          "--timeout",
          kLabBootBoundSeconds,
          "--controller",
          "unix:" + Socket(),
          "--controller-pki",
          dir_ + "/pki"};
}

HeldBoot BootHeldUntil(const std::string& dir, std::vector<std::string> args, const std::function<bool()>& caught_up,
                       std::chrono::seconds limit) {
  auto hold = std::make_unique<LabHold>(dir);
  const auto hold_args = hold->Args();
  args.insert(args.end(), hold_args.begin(), hold_args.end());
  std::future<BootRun> boot = std::async(std::launch::async, [&args] { return Boot(args); });
  HeldBoot out;
  // The lab's own bound ends the boot; past it (and its teardown), it is gone.
  out.held = hold->Wait(boot, std::chrono::seconds(std::atoi(kLabBootBoundSeconds) + 60));
  out.caught_up = out.held && WaitUntil(caught_up, limit);
  hold->Release();
  out.run = boot.get();
  return out;
}

}  // namespace rackboot::testing
