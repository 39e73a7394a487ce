#include "controller/k8s/object_store.h"

#include <mutex>

#include "controller/k8s/api_client.h"

namespace rackboot::k8s {

void ObjectStore::AddIndex(const std::string& name, IndexFunc fn) {
  std::unique_lock lock(mu_);
  index_funcs_[name] = std::move(fn);
}

void ObjectStore::IndexLocked(const std::string& key, const web::json::value& object, bool add) {
  for (const auto& [name, fn] : index_funcs_) {
    auto& index = indexes_[name];
    for (const auto& value : fn(object)) {
      if (add) {
        index[value].insert(key);
      } else if (auto it = index.find(value); it != index.end()) {
        it->second.erase(key);
        if (it->second.empty()) index.erase(it);
      }
    }
  }
}

std::optional<web::json::value> ObjectStore::Upsert(const web::json::value& object) {
  const std::string key = ObjectKey(object);
  std::unique_lock lock(mu_);
  std::optional<web::json::value> old;
  if (auto it = objects_.find(key); it != objects_.end()) {
    IndexLocked(key, it->second, false);
    old = std::move(it->second);  // no deep copy of the replaced object
    it->second = object;
  } else {
    objects_.emplace(key, object);
  }
  IndexLocked(key, object, true);
  return old;
}

std::optional<web::json::value> ObjectStore::Remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  web::json::value old = std::move(it->second);
  objects_.erase(it);
  IndexLocked(key, old, false);
  return old;
}

std::vector<web::json::value> ObjectStore::Replace(const std::vector<web::json::value>& objects) {
  std::unique_lock lock(mu_);
  std::map<std::string, web::json::value> fresh;
  for (const auto& o : objects) fresh.emplace(ObjectKey(o), o);
  std::vector<web::json::value> gone;
  for (auto& [key, o] : objects_) {
    if (!fresh.count(key)) gone.push_back(o);
  }
  objects_ = std::move(fresh);
  indexes_.clear();
  for (const auto& [key, o] : objects_) IndexLocked(key, o, true);
  return gone;
}

std::optional<web::json::value> ObjectStore::Get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<web::json::value> ObjectStore::List() const {
  std::shared_lock lock(mu_);
  std::vector<web::json::value> out;
  out.reserve(objects_.size());
  for (const auto& [k, o] : objects_) out.push_back(o);
  return out;
}

std::vector<std::string> ObjectStore::Keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, o] : objects_) out.push_back(k);
  return out;
}

std::vector<std::string> ObjectStore::KeysByIndex(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mu_);
  auto it = indexes_.find(index);
  if (it == indexes_.end()) return {};
  auto vit = it->second.find(value);
  if (vit == it->second.end()) return {};
  return {vit->second.begin(), vit->second.end()};
}

size_t ObjectStore::Size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

}  // namespace rackboot::k8s
