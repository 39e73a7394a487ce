#include "controller/config/controller_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

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

std::string WriteConfig(const std::string& text) {
  static int seq = 0;
  std::string path = "/tmp/rbt-controller-config-" + std::to_string(getpid()) + "-" + std::to_string(++seq) + ".yaml";
  std::ofstream(path) << text;
  return path;
}

TEST(ControllerConfigTest, RacksWithPoolsAndLeaseTimings) {
  std::string path = WriteConfig(R"(
leaderElection: {leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1}
racks:
- name: rack-a
  subnet: 10.0.0.0/24
  pool: {start: 10.0.0.100, end: 10.0.0.199}
  router: 10.0.0.1
  dns: [10.0.0.2, 10.0.0.3]
)");
  ControllerConfig c = LoadControllerConfig(path);
  std::remove(path.c_str());
  ASSERT_EQ(c.racks.size(), 1u);
  EXPECT_EQ(c.racks[0].pool_start.ToString(), "10.0.0.100");
  EXPECT_EQ(c.racks[0].pool_end.ToString(), "10.0.0.199");
  EXPECT_EQ(c.racks[0].router.ToString(), "10.0.0.1");
  EXPECT_EQ(c.racks[0].dns.size(), 2u);
  EXPECT_EQ(c.lease_duration_seconds, 4);
  EXPECT_EQ(c.retry_period_seconds, 1);
}

// A ProxyDHCP rack: the site's DHCP server owns the addresses, so the rack
// is listed (Machines may name it) without a pool, and without a subnet.
TEST(ControllerConfigTest, RackWithoutPoolIsASiteDhcpRack) {
  std::string path = WriteConfig(R"(
racks:
- name: rack-a
  subnet: 10.0.0.0/24
  pool: {start: 10.0.0.100, end: 10.0.0.199}
- name: proxy-b
)");
  ControllerConfig c = LoadControllerConfig(path);
  std::remove(path.c_str());
  ASSERT_EQ(c.racks.size(), 2u);
  EXPECT_TRUE(c.racks[0].has_pool);
  EXPECT_EQ(c.racks[1].name, "proxy-b");
  EXPECT_FALSE(c.racks[1].has_pool);
}

TEST(ControllerConfigTest, BootProgressDiscoveryAndUnixSocket) {
  ControllerConfig defaults = LoadControllerConfig(WriteConfig("namespace: lab\n"));
  EXPECT_EQ(defaults.boot_loop_threshold, 3);
  EXPECT_FALSE(defaults.discovery_create_machines) << "discovery is opt-in";
  EXPECT_EQ(defaults.discovery_max_machines, 256);
  EXPECT_TRUE(defaults.grpc_unix_socket.empty());

  ControllerConfig c = LoadControllerConfig(WriteConfig(R"(
grpc: {listen: "127.0.0.1:0", unixSocket: /run/rackboot/push.sock}
bootProgress: {bootLoopThreshold: 5}
discovery: {createMachines: true, namespace: racks, maxMachines: 10}
)"));
  EXPECT_EQ(c.grpc_unix_socket, "/run/rackboot/push.sock");
  EXPECT_EQ(c.boot_loop_threshold, 5);
  EXPECT_TRUE(c.discovery_create_machines);
  EXPECT_EQ(c.discovery_namespace, "racks");
  EXPECT_EQ(c.discovery_max_machines, 10);

  EXPECT_THROW(LoadControllerConfig(WriteConfig("bootProgress: {bootLoopThreshold: 0}\n")), ConfigError);
  EXPECT_THROW(LoadControllerConfig(WriteConfig("discovery: {create: true}\n")), ConfigError);
}

// Secrets are read per namespace (a Role each), never cluster-wide.
TEST(ControllerConfigTest, SecretNamespacesDefaultToTheWatchedNamespace) {
  std::string path = WriteConfig("namespace: team-a\n");
  EXPECT_EQ(LoadControllerConfig(path).secret_namespaces, std::vector<std::string>{"team-a"});
  std::remove(path.c_str());
  path = WriteConfig("secretNamespaces: [team-a, team-b]\n");
  EXPECT_EQ(LoadControllerConfig(path).secret_namespaces, (std::vector<std::string>{"team-a", "team-b"}));
  std::remove(path.c_str());
  path = WriteConfig("logLevel: info\n");
  EXPECT_TRUE(LoadControllerConfig(path).secret_namespaces.empty()) << "all namespaces watched: no Secrets by default";
  std::remove(path.c_str());
}

TEST(ControllerConfigTest, BadRacksNameTheField) {
  struct Case {
    const char* yaml;
    const char* field;
  };
  for (const Case& k : {
           Case{"racks: [{name: r, subnet: 10.0.0.0/24, pool: {start: 10.0.1.5, end: 10.0.1.9}}]",
                "racks[0].pool.start"},
           Case{"racks: [{name: r, subnet: 10.0.0.0/24, pool: {start: 10.0.0.9, end: 10.0.0.5}}]", "racks[0].pool.end"},
           Case{"racks: [{name: r, subnet: 10.0.0/24, pool: {start: 10.0.0.1, end: 10.0.0.5}}]", "racks[0].subnet"},
           Case{"racks: [{name: r, pool: {start: 10.0.0.1, end: 10.0.0.5}}]", "racks[0].subnet"},
           Case{"racks: [{name: r, subnet: 10.0.0.0/24, pool: {start: 10.0.0.1, end: 10.0.0.5}},"
                " {name: r, subnet: 10.0.0.0/24, pool: {start: 10.0.0.1, end: 10.0.0.5}}]",
                "racks[1].name"},
           Case{"leaderElection: {leaseDurationSeconds: 5, renewDeadlineSeconds: 5}",
                "leaderElection.renewDeadlineSeconds"},
           Case{"secretNamespaces: [\"\"]", "secretNamespaces"},
           Case{"namespace: team-a\nsecretNamespaces: [team-b]", "secretNamespaces"},
       }) {
    std::string path = WriteConfig(k.yaml);
    try {
      LoadControllerConfig(path);
      ADD_FAILURE() << "accepted: " << k.yaml;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), k.field) << e.what();
    }
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace rackboot::controller
