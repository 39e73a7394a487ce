// The real bootd binary in controller mode: it applies what the controller
// pushes and persists it; restarted while the controller is down, it loads
// and serves the persisted snapshot, then resyncs once the controller is back.

#include <fstream>

#include "bootd/agent/snapshot_file.h"
#include "tests/integration/grpc/push_test_env.h"
#include "tests/support/child_process.h"

namespace rackboot::push_test {
namespace {

using rackboot::testing::BootdProcess;

class BootdProcessTest : public PushTestEnv {};

TEST_F(BootdProcessTest, RestartedBootdServesPersistedSnapshotWhileControllerDown) {
  cache_.Upsert("rack-a", Machine("ns/m1", "52:54:00:00:00:01", "10.0.0.1"));
  cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02", "10.0.0.2"));
  StartController();
  const std::string config = state_dir_ + "/bootd.yaml";
  const std::string snap = state_dir_ + "/assignments.snap";
  {
    std::ofstream out(config);
    out << "rack: rack-a\n"
        << "logLevel: info\n"
        << "stateDir: " << state_dir_ << "\n"
        << "controller:\n"
        << "  address: 127.0.0.1:" << port_ << "\n"
        << "  caFile: " << Pki("ca.pem") << "\n"
        << "  certFile: " << Pki("bootd-rack-a.pem") << "\n"
        << "  keyFile: " << Pki("bootd-rack-a.key") << "\n";
  }
  {
    BootdProcess bootd(config, state_dir_ + "/bootd-1.log");
    // The default snapshotPath is <stateDir>/assignments.snap.
    ASSERT_TRUE(WaitFor([&] {
      auto s = bootd::agent::ReadSnapshotFile(snap);
      return s.ok() && s->version() == cache_.Version("rack-a");
    })) << bootd.Log();
    ASSERT_TRUE(WaitFor([&] { return observer_.last_ack() == cache_.Version("rack-a"); }));
    EXPECT_EQ(bootd.Stop(), 0) << bootd.Log();
  }
  StopController();

  BootdProcess restarted(config, state_dir_ + "/bootd-2.log");
  ASSERT_TRUE(WaitFor([&] {
    std::string log = restarted.Log();
    return log.find("serving from persisted snapshot") != std::string::npos &&
           log.find("controller stream ended") != std::string::npos;
  })) << restarted.Log();
  std::string log = restarted.Log();
  EXPECT_NE(log.find("machines=2"), std::string::npos) << log;
  EXPECT_NE(log.find("msg=ready"), std::string::npos) << log;

  // The controller returns with one change: bootd catches up by delta.
  cache_.Upsert("rack-a", Machine("ns/m2", "52:54:00:00:00:02", "10.0.0.22"));
  StartController();
  ASSERT_TRUE(WaitFor([&] {
    auto s = bootd::agent::ReadSnapshotFile(snap);
    return s.ok() && s->version() == cache_.Version("rack-a");
  })) << restarted.Log();
  auto s = bootd::agent::ReadSnapshotFile(snap);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->assignments_size(), 2);
  EXPECT_EQ(s->assignments(1).interfaces(0).ipv4(), "10.0.0.22");
  EXPECT_EQ(restarted.Stop(), 0);
}

}  // namespace
}  // namespace rackboot::push_test
