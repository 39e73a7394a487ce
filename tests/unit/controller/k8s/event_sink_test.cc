// EventSink with a recording HttpTransport (our own interface; Events against
// the real apiserver are checked in tests/integration/controller): Normal
// events over the burst are dropped, Warnings are not, a full queue drops,
// and Stop() sends what is queued.
#include "controller/k8s/event_sink.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace rackboot::k8s {
namespace {

// Answers 201 to every request; while closed, requests wait at the gate.
class GatedTransport : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& req) override {
    std::unique_lock lock(mu_);
    bodies_.push_back(req.body);
    paths_.push_back(req.method + " " + req.path_and_query);
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return HttpResponse{201, "{}"};
  }
  Result<HttpResponse> Stream(const HttpRequest&, const ChunkCallback&, std::stop_token) override {
    return Error{"not used"};
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  bool WaitForRequests(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return bodies_.size() >= n; });
  }
  std::vector<std::string> paths() {
    std::lock_guard lock(mu_);
    return paths_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  std::vector<std::string> bodies_, paths_;
};

const ResourceKind kEvents{"", "v1", "events", true};

web::json::value EventObject(int i) {
  web::json::value v = web::json::value::object();
  v["reason"] = web::json::value::string("R" + std::to_string(i));
  return v;
}

TEST(EventSinkTest, NormalEventsOverTheBurstAreDroppedWarningsAreNot) {
  auto transport = std::make_shared<GatedTransport>();
  EventSinkOptions opts;
  opts.normal_per_second = 0.001;  // no refill within the test
  opts.normal_burst = 3;
  EventSink sink(std::make_shared<ApiClient>(transport), kEvents, opts);
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += sink.Post("ns", EventObject(i), false);
  EXPECT_EQ(accepted, 3);
  EXPECT_TRUE(sink.Post("ns", EventObject(9), true)) << "a Warning is not rate limited";
  sink.Stop();
  EXPECT_EQ(sink.sent(), 4u);
  EXPECT_EQ(sink.dropped(), 2u);
  auto paths = transport->paths();
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0], "POST /api/v1/namespaces/ns/events");
}

TEST(EventSinkTest, AFullQueueDropsAndStopSendsWhatIsQueued) {
  auto transport = std::make_shared<GatedTransport>();
  EventSinkOptions opts;
  opts.capacity = 2;
  EventSink sink(std::make_shared<ApiClient>(transport), kEvents, opts);
  transport->Close();
  ASSERT_TRUE(sink.Post("ns", EventObject(0), true));
  ASSERT_TRUE(transport->WaitForRequests(1));  // taken off the queue, stuck in Send
  EXPECT_TRUE(sink.Post("ns", EventObject(1), true));
  EXPECT_TRUE(sink.Post("ns", EventObject(2), true));
  EXPECT_FALSE(sink.Post("ns", EventObject(3), true)) << "capacity 2 is full";
  transport->Open();
  sink.Stop();
  EXPECT_EQ(sink.sent(), 3u);
  EXPECT_EQ(sink.dropped(), 1u);
  EXPECT_FALSE(sink.Post("ns", EventObject(4), true)) << "stopped";
}

}  // namespace
}  // namespace rackboot::k8s
