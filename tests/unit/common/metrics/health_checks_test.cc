#include "common/metrics/health_checks.h"

#include <gtest/gtest.h>

#include <atomic>

namespace rackboot::metrics {
namespace {

TEST(HealthChecksTest, NoChecksIsOk) {
  HealthChecks checks;
  EXPECT_TRUE(checks.Live().ok);
  EXPECT_TRUE(checks.Ready().ok);
  EXPECT_EQ(checks.Ready().body, "readyz check passed\n");
}

TEST(HealthChecksTest, ReadinessFollowsItsChecks) {
  HealthChecks checks;
  std::atomic<bool> synced = false;
  checks.AddReadiness("informers", [&]() -> Status {
    if (synced) return Status::Ok();
    return Error{"not synced"};
  });
  checks.AddReadiness("grpc", [] { return Status::Ok(); });
  HealthChecks::Report report = checks.Ready();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.body, "[-]informers failed: not synced\n[+]grpc ok\nreadyz check failed\n");
  EXPECT_TRUE(checks.Live().ok) << "readiness checks do not affect liveness";
  synced = true;
  report = checks.Ready();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.body, "[+]informers ok\n[+]grpc ok\nreadyz check passed\n");
}

TEST(HealthChecksTest, LivenessFailure) {
  HealthChecks checks;
  checks.AddLiveness("event-loop", [] { return Status(Error{"stalled 40s"}); });
  HealthChecks::Report report = checks.Live();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.body, "[-]event-loop failed: stalled 40s\nhealthz check failed\n");
  EXPECT_TRUE(checks.Ready().ok);
}

}  // namespace
}  // namespace rackboot::metrics
