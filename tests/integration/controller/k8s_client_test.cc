// The C++ Kubernetes client against the real test apiserver: TLS with the
// fixture's client certificate, CRUD, 409 on stale writes and the
// controller's re-read-and-retry, 410 Gone on a watch from an expired
// resourceVersion, informer list+watch and indexes.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "controller/k8s/api_client.h"
#include "controller/k8s/client_config.h"
#include "controller/k8s/cpprest_transport.h"
#include "controller/k8s/informer.h"
#include "controller/reconcile/machine_controller.h"
#include "tests/integration/controller/kube_test_env.h"

namespace rackboot::testing {
namespace {

using controller::MachineKind;

std::shared_ptr<k8s::ApiClient> Client() {
  auto transport = std::make_shared<k8s::CpprestTransport>(k8s::LoadKubeconfig(Kubeconfig()));
  return std::make_shared<k8s::ApiClient>(transport);
}

TEST(K8sClientTest, CrudAndStaleWriteConflict) {
  TestNamespace ns("client");
  auto client = Client();
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "c1", "52:54:00:00:04:01", "p")).exit_code, 0);
  auto got = client->Get(MachineKind(), ns.name(), "c1");
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->code, 200) << got->Message();
  web::json::value stale = got->body;

  // Someone else changes the object; our copy is now stale.
  ASSERT_EQ(Kubectl("label machine -n " + ns.name() + " c1 team=blue").exit_code, 0);
  stale["status"] = web::json::value::parse(R"({"phase":"Pending"})");
  auto put = client->ReplaceStatus(MachineKind(), stale);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->code, 409) << put->Message();

  auto missing = client->Get(MachineKind(), ns.name(), "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->code, 404);

  auto list = client->List(MachineKind(), ns.name(), 1);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->items.size(), 1u);
  EXPECT_FALSE(list->resource_version.empty());
}

TEST(K8sClientTest, PaginatedListReturnsEveryItem) {
  TestNamespace ns("pages");
  std::string yaml;
  for (int i = 0; i < 7; ++i) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "52:54:00:00:05:%02x", i);
    yaml += MachineYaml(ns.name(), "p" + std::to_string(i), mac, "p") + "---\n";
  }
  ASSERT_EQ(Kubectl("apply -f -", yaml).exit_code, 0);
  auto list = Client()->List(MachineKind(), ns.name(), 2);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->items.size(), 7u);
}

TEST(K8sClientTest, WatchFromExpiredResourceVersionIsGone) {
  auto client = Client();
  std::atomic<int> gone{0};
  k8s::WatchOptions opts;
  opts.resource_version = "1";  // far older than the watch cache window
  opts.timeout_seconds = 5;
  std::stop_source stop;
  auto r = client->Watch(
      MachineKind(), "", opts,
      [&](k8s::WatchEvent&& e) {
        if (e.type == k8s::WatchEventType::kError && e.ErrorCode() == 410) ++gone;
        return e.type != k8s::WatchEventType::kError;
      },
      stop.get_token());
  ASSERT_TRUE(r.ok()) << r.error().message;
  // The apiserver answers either with HTTP 410 or an in-stream ERROR event.
  EXPECT_TRUE(r->code == 410 || gone.load() == 1) << "code " << r->code << " " << r->Message();
}

TEST(K8sClientTest, ControllerRetriesAStatusWriteAfterConflict) {
  TestNamespace ns("conflict");
  ASSERT_EQ(Kubectl("apply -f -", ProfileYaml(ns.name(), "p", "console=ttyS0")).exit_code, 0);
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "k1", "52:54:00:00:06:01", "p")).exit_code, 0);
  controller::MachineControllerOptions options;
  options.namespace_ = ns.name();
  controller::RackNetwork rack;
  rack.name = "rack-a";
  rack.subnet = *Ipv4Prefix::Parse("10.0.0.0/24");
  rack.pool_start = *Ipv4Address::Parse("10.0.0.100");
  rack.pool_end = *Ipv4Address::Parse("10.0.0.110");
  options.racks = {rack};
  controller::MachineController c(Client(), options);
  c.Start();
  ASSERT_TRUE(c.machines().WaitForSync());
  ASSERT_TRUE(c.profiles().WaitForSync());
  ASSERT_TRUE(WaitUntil([&] { return c.machines().store().Size() == 1 && c.profiles().store().Size() == 1; }));
  // Freeze the cache, then move the object on: the next write is stale.
  c.machines().Stop();
  c.profiles().Stop();
  ASSERT_EQ(Kubectl("label machine -n " + ns.name() + " k1 team=red").exit_code, 0);
  // The first pass adds the finalizer (a conflict too), then writes status.
  Status s = c.Reconcile(ns.name() + "/k1");
  ASSERT_TRUE(s.ok()) << s.message();
  auto m = KubectlJson("get machine -n " + ns.name() + " k1");
  EXPECT_EQ(StatusField(m, "phase"), "Assigned");
  EXPECT_EQ(StatusField(m, "ipv4"), "10.0.0.100");
  EXPECT_EQ(m.at("metadata").at("labels").at("team").as_string(), "red") << "the other writer's change survives";
  EXPECT_EQ(c.conflicts(), 1u) << "the finalizer's 409; the status write used the fresh version";
  // The frozen cache still holds a version this controller has since
  // overtaken with its own writes: the pass is skipped (no write, no 409),
  // the newer version is on its way through the watch.
  auto again = c.Reconcile(ns.name() + "/k1");
  EXPECT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(c.conflicts(), 1u) << "no write from a version we overtook ourselves";
  auto after = KubectlJson("get machine -n " + ns.name() + " k1");
  EXPECT_EQ(after.at("metadata").at("resourceVersion").as_string(), m.at("metadata").at("resourceVersion").as_string());
  c.Stop();
}

TEST(K8sClientTest, InformerIndexesByMacRackAndProfile) {
  TestNamespace ns("informer");
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "i1", "52:54:00:AA:00:01", "prof-x", "rack-b")).exit_code, 0);
  controller::MachineControllerOptions options;
  options.namespace_ = ns.name();
  controller::MachineController c(Client(), options);
  c.Start();
  ASSERT_TRUE(c.machines().WaitForSync());
  auto& store = c.machines().store();
  EXPECT_EQ(store.KeysByIndex(controller::kIndexByMac, "52:54:00:aa:00:01"),
            std::vector<std::string>{ns.name() + "/i1"});
  EXPECT_EQ(store.KeysByIndex(controller::kIndexByRack, "rack-b"), std::vector<std::string>{ns.name() + "/i1"});
  // A watch event (not the initial list) updates the indexes.
  ASSERT_EQ(Kubectl("apply -f -", MachineYaml(ns.name(), "i2", "52:54:00:AA:00:02", "prof-x", "rack-b")).exit_code, 0);
  EXPECT_TRUE(
      WaitUntil([&] { return store.KeysByIndex(controller::kIndexByProfile, ns.name() + "/prof-x").size() == 2; }));
  ASSERT_EQ(Kubectl("delete machine -n " + ns.name() + " i1 --wait=false").exit_code, 0);
  EXPECT_TRUE(WaitUntil([&] { return store.KeysByIndex(controller::kIndexByMac, "52:54:00:aa:00:01").empty(); }));
  EXPECT_GE(c.machines().stats().watches.load(), 1u);
  c.Stop();
}

}  // namespace
}  // namespace rackboot::testing
