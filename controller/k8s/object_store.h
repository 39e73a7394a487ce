#pragma once
// The informer's cache: objects by key ("ns/name") plus secondary indexes
// (by MAC, by rack, by profile) computed by index functions. Thread-safe;
// readers get copies.

#include <cpprest/json.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace rackboot::k8s {

using IndexFunc = std::function<std::vector<std::string>(const web::json::value&)>;

class ObjectStore {
 public:
  // Indexes must be added before the first object.
  void AddIndex(const std::string& name, IndexFunc fn);

  // Returns the previous object, if any.
  std::optional<web::json::value> Upsert(const web::json::value& object);
  std::optional<web::json::value> Remove(const std::string& key);
  // Replaces everything (after a list); returns the objects that vanished.
  std::vector<web::json::value> Replace(const std::vector<web::json::value>& objects);

  std::optional<web::json::value> Get(const std::string& key) const;
  std::vector<web::json::value> List() const;
  std::vector<std::string> Keys() const;
  std::vector<std::string> KeysByIndex(const std::string& index, const std::string& value) const;
  size_t Size() const;

 private:
  void IndexLocked(const std::string& key, const web::json::value& object, bool add);

  mutable std::shared_mutex mu_;
  std::map<std::string, web::json::value> objects_;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> value -> keys
  std::map<std::string, std::map<std::string, std::set<std::string>>> indexes_;
};

}  // namespace rackboot::k8s
