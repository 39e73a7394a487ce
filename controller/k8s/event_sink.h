#pragma once
// EventSink: posts core/v1 Events off the reconcile path, best effort, the
// way client-go's event recorder does (a 1000-entry queue that drops when
// full, one goroutine posting). Events repeat what status conditions already
// say, so under bulk load they must not cost the reconcile latency or an
// API write per object:
// - Post() only queues (never blocks a worker); a full queue drops;
// - Normal events are also rate limited (default 20/s, burst 200) and
//   dropped beyond that; Warnings are never rate limited, only queue-bound.
// One thread sends them in order. Stop() sends what is queued, then returns.

#include <cpprest/json.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "controller/k8s/api_client.h"

namespace rackboot::k8s {

struct EventSinkOptions {
  size_t capacity = 1000;
  double normal_per_second = 20;
  double normal_burst = 200;
};

class EventSink {
 public:
  EventSink(std::shared_ptr<ApiClient> client, ResourceKind kind, EventSinkOptions options = {});
  ~EventSink();

  // Queues `event` for creation in namespace `ns`; false if it was dropped
  // (queue full, or a Normal event over the rate).
  bool Post(const std::string& ns, web::json::value event, bool warning);
  void Stop();

  uint64_t sent() const { return sent_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t failed() const { return failed_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Item {
    std::string ns;
    web::json::value event;
  };
  void Run();
  bool TakeNormalTokenLocked(Clock::time_point now);

  std::shared_ptr<ApiClient> client_;
  ResourceKind kind_;
  EventSinkOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  double tokens_;
  Clock::time_point last_refill_;
  std::atomic<uint64_t> sent_{0}, dropped_{0}, failed_{0};
  std::thread thread_;
};

}  // namespace rackboot::k8s
