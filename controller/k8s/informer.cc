#include "controller/k8s/informer.h"

#include <random>

#include "common/log.h"
#include "controller/k8s/backoff.h"

namespace rackboot::k8s {

Informer::Informer(std::shared_ptr<ApiClient> client, ResourceKind kind, std::string ns, InformerHandlers handlers)
    : client_(std::move(client)), kind_(std::move(kind)), ns_(std::move(ns)), handlers_(std::move(handlers)) {}

Informer::~Informer() {
  Stop();
}

void Informer::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void Informer::Stop() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }
}

bool Informer::WaitForSync() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return synced_.load() || stopping_.load(); });
  return synced_.load();
}

void Informer::SetWatchTimeoutRange(int min_seconds, int max_seconds) {
  timeout_min_ = min_seconds;
  timeout_max_ = max_seconds;
}

void Informer::SleepFor(std::stop_token stop, Duration d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, stop, d, [] { return false; });
}

bool Informer::ListAndStore(std::string* resource_version) {
  ++stats_.lists;
  auto list = client_->List(kind_, ns_, 500, label_selector_);
  if (!list.ok()) {
    log::Warn("informer", "list failed", {{"resource", kind_.plural}, {"error", list.error().message}});
    return false;
  }
  for (auto& o : list->items) StripManagedFields(&o);
  std::vector<web::json::value> gone = store_.Replace(list->items);
  // Replace swapped the cache at once; tell handlers about every object so
  // level-triggered reconciles see the state after a relist.
  if (handlers_.on_change) {
    for (const auto& o : gone) handlers_.on_change(&o, nullptr);
    for (const auto& o : list->items) handlers_.on_change(nullptr, &o);
  }
  *resource_version = list->resource_version;
  log::Info("informer", "listed",
            {{"resource", kind_.plural}, {"count", list->items.size()}, {"resourceVersion", *resource_version}});
  {
    std::lock_guard lock(mu_);
    synced_ = true;
  }
  cv_.notify_all();
  return true;
}

bool Informer::WatchOnce(std::stop_token stop, std::string* resource_version, bool* failed) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  WatchOptions opts;
  opts.resource_version = *resource_version;
  opts.label_selector = label_selector_;
  opts.timeout_seconds = std::uniform_int_distribution<int>(timeout_min_, timeout_max_)(rng);
  bool gone = false;
  std::string stream_error;
  ++stats_.watches;
  auto r = client_->Watch(
      kind_, ns_, opts,
      [&](WatchEvent&& e) {
        std::string rv = ObjectResourceVersion(e.object);
        StripManagedFields(&e.object);
        switch (e.type) {
          case WatchEventType::kError:
            if (e.ErrorCode() == 410) {
              gone = true;
            } else {
              stream_error = e.object.serialize().substr(0, 300);
            }
            return false;
          case WatchEventType::kBookmark: break;
          case WatchEventType::kAdded:
          case WatchEventType::kModified: {
            auto old = store_.Upsert(e.object);
            if (handlers_.on_change) handlers_.on_change(old ? &*old : nullptr, &e.object);
            break;
          }
          case WatchEventType::kDeleted: {
            auto old = store_.Remove(ObjectKey(e.object));
            if (handlers_.on_change) handlers_.on_change(old ? &*old : &e.object, nullptr);
            break;
          }
        }
        if (!rv.empty()) *resource_version = rv;
        return !stop.stop_requested();
      },
      stop);
  *failed = false;
  if (!r.ok()) {
    ++stats_.watch_errors;
    *failed = true;
    if (!stop.stop_requested()) {
      log::Warn("informer", "watch failed", {{"resource", kind_.plural}, {"error", r.error().message}});
    }
    return false;
  }
  if (gone || r->code == 410) {
    ++stats_.relists_after_gone;
    log::Info("informer", "resourceVersion too old (410 Gone), relisting",
              {{"resource", kind_.plural}, {"resourceVersion", *resource_version}});
    return true;
  }
  if (r->code != 200 || !stream_error.empty()) {
    ++stats_.watch_errors;
    *failed = true;
    log::Warn("informer", "watch error",
              {{"resource", kind_.plural}, {"error", stream_error.empty() ? r->Message() : stream_error}});
  }
  return false;
}

void Informer::Run(std::stop_token stop) {
  Backoff backoff;
  while (!stop.stop_requested()) {
    std::string rv;
    if (!ListAndStore(&rv)) {
      SleepFor(stop, backoff.Next());
      continue;
    }
    backoff.Reset();
    while (!stop.stop_requested()) {
      const auto started = std::chrono::steady_clock::now();
      bool failed = false;
      if (WatchOnce(stop, &rv, &failed)) break;  // 410: relist at once
      if (stop.stop_requested()) break;
      // A watch that ends at once without error (e.g. server shutting down)
      // is treated like a failure so we never spin.
      if (failed || std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
        SleepFor(stop, backoff.Next());
      } else {
        backoff.Reset();
      }
    }
  }
  cv_.notify_all();
}

}  // namespace rackboot::k8s
