// Reflector logic of the Informer with a scripted HttpTransport (our own
// interface; the real apiserver is exercised in tests/integration/controller):
// list -> watch from the list's resourceVersion -> 410 (HTTP or in-stream
// ERROR) -> relist, with handlers told about objects that vanished.
#include "controller/k8s/informer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>

namespace rackboot::k8s {
namespace {

struct ScriptedResponse {
  int status = 200;
  std::string body;  // for Send, or the whole streamed body for Stream
};

// Answers requests in order; an exhausted script blocks streams until stop.
class ScriptedTransport : public HttpTransport {
 public:
  void Push(ScriptedResponse r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<std::string> paths() {
    std::lock_guard lock(mu_);
    return paths_;
  }
  Result<HttpResponse> Send(const HttpRequest& req) override {
    auto r = Next(req);
    if (!r) return Error{"script exhausted"};
    return HttpResponse{r->status, r->body};
  }
  Result<HttpResponse> Stream(const HttpRequest& req, const ChunkCallback& on_chunk, std::stop_token stop) override {
    auto r = Next(req);
    if (!r) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, stop, [] { return false; });
      return HttpResponse{200, ""};
    }
    if (r->status != 200) return HttpResponse{r->status, r->body};
    // Deliver in 5-byte chunks so events straddle chunk boundaries.
    for (size_t i = 0; i < r->body.size(); i += 5) {
      if (!on_chunk(std::string_view(r->body).substr(i, 5))) break;
    }
    return HttpResponse{200, ""};
  }

 private:
  std::optional<ScriptedResponse> Next(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    paths_.push_back(req.path_and_query);
    if (script_.empty()) return std::nullopt;
    auto r = script_.front();
    script_.pop_front();
    return r;
  }
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<ScriptedResponse> script_;
  std::vector<std::string> paths_;
};

std::string Item(const std::string& name, const std::string& rv) {
  return R"({"metadata":{"namespace":"ns","name":")" + name + R"(","resourceVersion":")" + rv + R"("}})";
}
std::string List(const std::string& items, const std::string& rv) {
  return R"({"kind":"MachineList","metadata":{"resourceVersion":")" + rv + R"("},"items":[)" + items + "]}";
}
std::string Event(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}
const char* kGoneEvent =
    R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}})"
    "\n";

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_ = std::make_shared<ScriptedTransport>();
    InformerHandlers h;
    h.on_change = [this](const web::json::value* o, const web::json::value* n) {
      std::lock_guard lock(mu_);
      if (!n) deleted_.insert(ObjectKey(*o));
      ++changes_;
      cv_.notify_all();
    };
    informer_ = std::make_unique<Informer>(std::make_shared<ApiClient>(transport_),
                                           ResourceKind{"rackboot.io", "v1alpha1", "machines", true}, "ns", h);
  }
  // The informer's next request follows its handler calls; wait for it.
  void WaitForRequests(size_t n) {
    for (int i = 0; i < 3000 && transport_->paths().size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  bool WaitForChanges(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return changes_ >= n; });
  }
  std::shared_ptr<ScriptedTransport> transport_;
  std::unique_ptr<Informer> informer_;
  std::mutex mu_;
  std::condition_variable cv_;
  int changes_ = 0;
  std::set<std::string> deleted_;
};

TEST_F(InformerTest, WatchesFromListVersionAndRelistsOnInStream410) {
  transport_->Push({200, List(Item("a", "5") + "," + Item("b", "6"), "10")});
  transport_->Push({200, Event("MODIFIED", Item("a", "11")) +
                             Event("BOOKMARK", R"({"metadata":{"resourceVersion":"12"}})") + kGoneEvent});
  transport_->Push({200, List(Item("a", "11") + "," + Item("c", "20"), "21")});
  informer_->Start();
  ASSERT_TRUE(informer_->WaitForSync());
  ASSERT_TRUE(WaitForChanges(2 + 1 + 3));  // list(2) + MODIFIED + relist(b gone, a, c)
  WaitForRequests(4);
  informer_->Stop();
  auto paths = transport_->paths();
  ASSERT_GE(paths.size(), 4u);
  EXPECT_NE(paths[1].find("resourceVersion=10"), std::string::npos) << paths[1];
  EXPECT_NE(paths[1].find("allowWatchBookmarks=true"), std::string::npos);
  EXPECT_NE(paths[1].find("watch=1"), std::string::npos);
  EXPECT_EQ(paths[2].find("watch=1"), std::string::npos) << "410 -> a fresh list, not a re-watch: " << paths[2];
  EXPECT_NE(paths[3].find("resourceVersion=21"), std::string::npos) << paths[3];
  EXPECT_EQ(informer_->stats().relists_after_gone.load(), 1u);
  EXPECT_EQ(deleted_, std::set<std::string>{"ns/b"}) << "vanished during the gap";
  EXPECT_TRUE(informer_->store().Get("ns/c"));
  EXPECT_FALSE(informer_->store().Get("ns/b"));
}

TEST_F(InformerTest, Http410OnWatchAlsoRelists) {
  transport_->Push({200, List(Item("a", "5"), "10")});
  transport_->Push({410, R"({"kind":"Status","code":410})"});
  transport_->Push({200, List(Item("a", "5"), "30")});
  informer_->Start();
  ASSERT_TRUE(WaitForChanges(2));
  WaitForRequests(4);
  informer_->Stop();
  auto paths = transport_->paths();
  ASSERT_GE(paths.size(), 4u);
  EXPECT_NE(paths[3].find("resourceVersion=30"), std::string::npos) << paths[3];
  EXPECT_EQ(informer_->stats().relists_after_gone.load(), 1u);
}

TEST_F(InformerTest, ResumesFromLastSeenVersionAfterAWatchEnds) {
  transport_->Push({200, List("", "10")});
  transport_->Push({200, Event("ADDED", Item("a", "15"))});  // then the server closes the stream
  informer_->Start();
  ASSERT_TRUE(WaitForChanges(1));
  WaitForRequests(3);
  informer_->Stop();
  auto paths = transport_->paths();
  ASSERT_GE(paths.size(), 3u);
  EXPECT_NE(paths[2].find("watch=1"), std::string::npos) << "no relist for a normal end: " << paths[2];
  EXPECT_NE(paths[2].find("resourceVersion=15"), std::string::npos) << paths[2];
}

TEST_F(InformerTest, CachesObjectsWithoutManagedFields) {
  const std::string managed = R"("managedFields":[{"manager":"kubectl","operation":"Update"}],)";
  transport_->Push(
      {200, List(R"({"metadata":{)" + managed + R"("namespace":"ns","name":"a","resourceVersion":"5"}})", "10")});
  transport_->Push({200, Event("ADDED", R"({"metadata":{)" + managed +
                                            R"("namespace":"ns","name":"b","resourceVersion":"11"},"spec":{}})")});
  informer_->Start();
  ASSERT_TRUE(WaitForChanges(2));
  informer_->Stop();
  for (const char* key : {"ns/a", "ns/b"}) {
    auto o = informer_->store().Get(key);
    ASSERT_TRUE(o) << key;
    EXPECT_FALSE(o->at("metadata").has_field("managedFields")) << o->serialize();
    EXPECT_TRUE(o->at("metadata").has_field("resourceVersion")) << "only managedFields goes";
  }
}

}  // namespace
}  // namespace rackboot::k8s
