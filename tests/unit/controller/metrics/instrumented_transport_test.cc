// KubeApiVerb's mapping of method + path to the apiserver's verbs, and the
// decorator counting what an inner transport answered.
#include "controller/metrics/instrumented_transport.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

namespace rackboot::controller {
namespace {

TEST(KubeApiVerbTest, CollectionsObjectsWatchesAndWrites) {
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/machines"), "list");
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/namespaces/ns1/machines?limit=500"), "list");
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/namespaces/ns1/machines/m1"), "get");
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/namespaces/ns1/machines/m1/status"), "get");
  EXPECT_EQ(KubeApiVerb("GET", "/api/v1/namespaces"), "list");
  EXPECT_EQ(KubeApiVerb("GET", "/api/v1/namespaces/ns1"), "get");
  EXPECT_EQ(KubeApiVerb("GET", "/api/v1/namespaces/ns1/events"), "list");
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/machines?watch=1&resourceVersion=5"), "watch");
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/machines?allowWatchBookmarks=true&watch=true"), "watch");
  EXPECT_EQ(KubeApiVerb("GET", "/apis/rackboot.io/v1alpha1/machines?nowatch=1"), "list");
  EXPECT_EQ(KubeApiVerb("POST", "/api/v1/namespaces/ns1/events"), "create");
  EXPECT_EQ(KubeApiVerb("PUT", "/apis/coordination.k8s.io/v1/namespaces/ns1/leases/l"), "update");
  EXPECT_EQ(KubeApiVerb("PATCH", "/apis/rackboot.io/v1alpha1/namespaces/ns1/machines/m1/status"), "patch");
  EXPECT_EQ(KubeApiVerb("DELETE", "/apis/rackboot.io/v1alpha1/namespaces/ns1/machines/m1"), "delete");
  EXPECT_EQ(KubeApiVerb("OPTIONS", "/"), "other");
}

// An in-process transport answering from a script (the decorator's peer is
// an interface of ours; the real cpprest transport is covered by the
// controller's integration tests).
class ScriptedTransport : public k8s::HttpTransport {
 public:
  Result<k8s::HttpResponse> Send(const k8s::HttpRequest& request) override {
    if (request.method == "DELETE") return Error{"connection reset"};
    return k8s::HttpResponse{request.method == "POST" ? 409 : 200, "{}"};
  }
  Result<k8s::HttpResponse> Stream(const k8s::HttpRequest& request, const k8s::ChunkCallback& on_chunk,
                                   std::stop_token) override {
    if (request.path_and_query.find("gone") != std::string::npos) return k8s::HttpResponse{410, "gone"};
    on_chunk("{\"type\":\"ADDED\"}\n");
    on_chunk("{\"type\":\"MODIFIED\"}\n");
    return k8s::HttpResponse{200, ""};
  }
};

double CounterValue(prometheus::Registry& registry, const std::string& verb, const std::string& code) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "rackboot_controller_kube_api_requests_total") continue;
    for (const auto& m : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      if (labels["verb"] == verb && labels["code"] == code) return m.counter.value;
    }
  }
  return -1;
}

TEST(InstrumentedTransportTest, CountsByVerbAndCodeAndWatchesOnce) {
  prometheus::Registry registry;
  metrics::ControllerMetrics m(registry, "test");
  InstrumentedTransport t(std::make_shared<ScriptedTransport>(), m);
  EXPECT_TRUE(t.Send({"GET", "/api/v1/namespaces/a/events", "", "", {}}).ok());
  EXPECT_TRUE(t.Send({"GET", "/api/v1/namespaces/a/events", "", "", {}}).ok());
  EXPECT_TRUE(t.Send({"POST", "/api/v1/namespaces/a/events", "{}", "", {}}).ok());
  EXPECT_FALSE(t.Send({"DELETE", "/api/v1/namespaces/a/events/e", "", "", {}}).ok());
  int chunks = 0;
  auto count_chunks = [&](std::string_view) { return ++chunks > 0; };
  EXPECT_TRUE(t.Stream({"GET", "/api/v1/namespaces/a/events?watch=1", "", "", {}}, count_chunks, {}).ok());
  EXPECT_TRUE(t.Stream({"GET", "/api/v1/namespaces/a/events?watch=1&gone", "", "", {}}, count_chunks, {}).ok());
  EXPECT_EQ(chunks, 2);  // chunks still reach the caller
  EXPECT_EQ(CounterValue(registry, "list", "200"), 2);
  EXPECT_EQ(CounterValue(registry, "create", "409"), 1);
  EXPECT_EQ(CounterValue(registry, "delete", "error"), 1);
  EXPECT_EQ(CounterValue(registry, "watch", "200"), 1);  // once per watch, not per chunk
  EXPECT_EQ(CounterValue(registry, "watch", "410"), 1);
}

}  // namespace
}  // namespace rackboot::controller
