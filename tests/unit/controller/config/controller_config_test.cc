#include "controller/config/controller_config.h"

#include <gtest/gtest.h>

#include "common/yaml_config.h"
#include "tests/support/test_paths.h"

namespace rackboot::controller {
namespace {

TEST(ControllerConfigTest, ExampleConfigLoads) {
  ControllerConfig c = LoadControllerConfig(testing::SourcePath("deploy/examples/controller.yaml"));
  EXPECT_EQ(c.grpc_listen, "0.0.0.0:9443");
  EXPECT_EQ(c.tls_cert_file, "/etc/rackboot/tls/tls.crt");
  EXPECT_TRUE(c.leader_election);
  EXPECT_EQ(c.lease_namespace, "rackboot-system");
}

}  // namespace
}  // namespace rackboot::controller
