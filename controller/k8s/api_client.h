#pragma once
// Typed-enough REST calls against the Kubernetes API on top of an
// HttpTransport: paths for a resource kind, CRUD, /status, list pages and
// watches. Responses are values: a transport failure is an Error, an HTTP
// error is an ApiResponse with its code (callers branch on 404/409/410).

#include <cpprest/json.h>

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/k8s/http_transport.h"
#include "controller/k8s/watch_decoder.h"

namespace rackboot::k8s {

struct ResourceKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  bool namespaced = true;

  // "/apis/rackboot.io/v1alpha1/namespaces/ns/machines" ("ns" empty: all).
  std::string CollectionPath(const std::string& ns) const;
  std::string ItemPath(const std::string& ns, const std::string& name) const;
};

struct ApiResponse {
  int code = 0;
  web::json::value body;
  bool ok() const { return code >= 200 && code <= 299; }
  // metav1.Status message (or the code) for logs and conditions.
  std::string Message() const;
};

struct ListResult {
  std::vector<web::json::value> items;
  std::string resource_version;
};

struct WatchOptions {
  std::string resource_version;
  int timeout_seconds = 300;
  bool allow_bookmarks = true;
  std::string label_selector;
};

// Called for every event; return false to close the watch.
using WatchCallback = std::function<bool(WatchEvent&& event)>;

class ApiClient {
 public:
  explicit ApiClient(std::shared_ptr<HttpTransport> transport);

  Result<ApiResponse> Get(const ResourceKind& kind, const std::string& ns, const std::string& name);
  Result<ApiResponse> Create(const ResourceKind& kind, const std::string& ns, const web::json::value& object);
  // PUT with metadata.resourceVersion: 409 Conflict if the object moved on.
  Result<ApiResponse> Replace(const ResourceKind& kind, const web::json::value& object);
  Result<ApiResponse> ReplaceStatus(const ResourceKind& kind, const web::json::value& object);
  Result<ApiResponse> Delete(const ResourceKind& kind, const std::string& ns, const std::string& name);
  // JSON merge patch (RFC 7386) of the object or, with `subresource`
  // ("status"), of that subresource. A metadata.resourceVersion in the patch
  // makes it conditional (409 if the object moved on). Smaller than a PUT of
  // the whole object, and the body is built without copying the object.
  Result<ApiResponse> MergePatch(const ResourceKind& kind, const std::string& ns, const std::string& name,
                                 const web::json::value& patch, const std::string& subresource = "");

  // All pages of a list (limit/continue). A 410 on a continue token (the
  // snapshot was compacted) restarts the list from scratch once.
  // `label_selector` ("rackboot.io/secret=true"): only matching objects.
  Result<ListResult> List(const ResourceKind& kind, const std::string& ns, int page_size = 500,
                          const std::string& label_selector = "");

  // Runs one watch until the server ends it, on_event returns false, or stop.
  // Returns the HTTP response (code != 200: watch refused, e.g. 410 Gone) or
  // an Error for transport and decode failures.
  Result<ApiResponse> Watch(const ResourceKind& kind, const std::string& ns, const WatchOptions& options,
                            const WatchCallback& on_event, std::stop_token stop);

  // Counts requests sent (benchmark: "API requests made").
  uint64_t requests() const { return requests_.load(); }

 private:
  Result<ApiResponse> Call(const std::string& method, const std::string& path, const std::string& body,
                           const char* content_type = "application/json");

  std::shared_ptr<HttpTransport> transport_;
  std::atomic<uint64_t> requests_{0};
};

// metadata helpers on raw objects.
std::string ObjectNamespace(const web::json::value& object);
std::string ObjectName(const web::json::value& object);
std::string ObjectResourceVersion(const web::json::value& object);
// "ns/name", or "name" for cluster-scoped objects (workqueue and cache key).
std::string ObjectKey(const web::json::value& object);
// Drops metadata.managedFields (server-side apply bookkeeping, often half of
// an object's bytes) from a cached copy: the controller never reads it, and
// a PUT without it keeps the server's (the apiserver takes the live
// object's managedFields when the request has none).
void StripManagedFields(web::json::value* object);
std::string UrlEncode(const std::string& text);

}  // namespace rackboot::k8s
