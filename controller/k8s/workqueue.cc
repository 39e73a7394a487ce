#include "controller/k8s/workqueue.h"

#include <algorithm>

namespace rackboot::k8s {

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (observer_) {
    observer_->OnAdd();
    queued_at_.emplace(key, Clock::now());
  }
  if (processing_.count(key)) return;  // Done() re-queues it
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  if (delay.count() <= 0) return Add(key);
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  delayed_.emplace(Clock::now() + delay, key);
  cv_.notify_all();  // a waiter may need an earlier wake-up
}

void WorkQueue::AddRateLimited(const std::string& key) {
  if (observer_) observer_->OnRetry();
  AddAfter(key, backoff_.When(key));
}

void WorkQueue::PromoteDueLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mu_);
  for (;;) {
    PromoteDueLocked(Clock::now());
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.begin()->first);
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  if (auto it = queued_at_.find(key); it != queued_at_.end()) {
    observer_->OnGet(std::chrono::duration<double>(Clock::now() - it->second).count());
    queued_at_.erase(it);
  }
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace rackboot::k8s
