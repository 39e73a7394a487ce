#include "controller/k8s/event_sink.h"

#include <algorithm>

#include "common/log.h"

namespace rackboot::k8s {

EventSink::EventSink(std::shared_ptr<ApiClient> client, ResourceKind kind, EventSinkOptions options)
    : client_(std::move(client)),
      kind_(std::move(kind)),
      options_(options),
      tokens_(options.normal_burst),
      last_refill_(Clock::now()) {
  thread_ = std::thread([this] { Run(); });
}

EventSink::~EventSink() {
  Stop();
}

bool EventSink::TakeNormalTokenLocked(Clock::time_point now) {
  const std::chrono::duration<double> elapsed = now - last_refill_;
  last_refill_ = now;
  tokens_ = std::min(options_.normal_burst, tokens_ + elapsed.count() * options_.normal_per_second);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool EventSink::Post(const std::string& ns, web::json::value event, bool warning) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.capacity || (!warning && !TakeNormalTokenLocked(Clock::now()))) {
      ++dropped_;
      return false;
    }
    queue_.push_back(Item{ns, std::move(event)});
  }
  cv_.notify_one();
  return true;
}

void EventSink::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void EventSink::Run() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, all sent
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    auto r = client_->Create(kind_, item.ns, item.event);
    if (r.ok() && r->ok()) {
      ++sent_;
    } else {
      // Best effort, like client-go: an Event is not worth a retry loop.
      ++failed_;
      log::Warn("controller", "event not recorded", {{"error", r.ok() ? r->Message() : r.error().message}});
    }
  }
}

}  // namespace rackboot::k8s
