#include "controller/k8s/api_client.h"

#include <system_error>

namespace rackboot::k8s {
namespace {

web::json::value ParseBody(const std::string& body) {
  if (body.empty()) return web::json::value::null();
  std::error_code ec;
  web::json::value v = web::json::value::parse(body, ec);
  if (ec) return web::json::value::string(body.substr(0, 512));
  return v;
}

std::string StringField(const web::json::value& v, const char* key) {
  if (!v.is_object() || !v.has_field(key)) return "";
  const auto& f = v.at(key);
  return f.is_string() ? f.as_string() : "";
}

}  // namespace

std::string UrlEncode(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string ResourceKind::CollectionPath(const std::string& ns) const {
  std::string p = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) p += "/namespaces/" + ns;
  return p + "/" + plural;
}

std::string ResourceKind::ItemPath(const std::string& ns, const std::string& name) const {
  return CollectionPath(ns) + "/" + name;
}

std::string ApiResponse::Message() const {
  std::string m = StringField(body, "message");
  if (m.empty() && body.is_string()) m = body.as_string();
  return "HTTP " + std::to_string(code) + (m.empty() ? "" : ": " + m);
}

std::string ObjectNamespace(const web::json::value& o) {
  return o.has_field("metadata") ? StringField(o.at("metadata"), "namespace") : "";
}
std::string ObjectName(const web::json::value& o) {
  return o.has_field("metadata") ? StringField(o.at("metadata"), "name") : "";
}
std::string ObjectResourceVersion(const web::json::value& o) {
  return o.has_field("metadata") ? StringField(o.at("metadata"), "resourceVersion") : "";
}
std::string ObjectKey(const web::json::value& o) {
  std::string ns = ObjectNamespace(o);
  return ns.empty() ? ObjectName(o) : ns + "/" + ObjectName(o);
}

ApiClient::ApiClient(std::shared_ptr<HttpTransport> transport) : transport_(std::move(transport)) {}

void StripManagedFields(web::json::value* object) {
  if (!object->is_object() || !object->has_field("metadata")) return;
  web::json::value& md = object->at("metadata");
  if (md.is_object() && md.has_field("managedFields")) md.erase("managedFields");
}

Result<ApiResponse> ApiClient::Call(const std::string& method, const std::string& path, const std::string& body,
                                    const char* content_type) {
  HttpRequest req;
  req.method = method;
  req.path_and_query = path;
  req.body = body;
  req.content_type = content_type;
  ++requests_;
  auto r = transport_->Send(req);
  if (!r.ok()) return r.error();
  return ApiResponse{r->status, ParseBody(r->body)};
}

Result<ApiResponse> ApiClient::Get(const ResourceKind& kind, const std::string& ns, const std::string& name) {
  return Call("GET", kind.ItemPath(ns, name), "");
}

Result<ApiResponse> ApiClient::Create(const ResourceKind& kind, const std::string& ns, const web::json::value& o) {
  return Call("POST", kind.CollectionPath(ns), o.serialize());
}

Result<ApiResponse> ApiClient::Replace(const ResourceKind& kind, const web::json::value& o) {
  return Call("PUT", kind.ItemPath(ObjectNamespace(o), ObjectName(o)), o.serialize());
}

Result<ApiResponse> ApiClient::ReplaceStatus(const ResourceKind& kind, const web::json::value& o) {
  return Call("PUT", kind.ItemPath(ObjectNamespace(o), ObjectName(o)) + "/status", o.serialize());
}

Result<ApiResponse> ApiClient::Delete(const ResourceKind& kind, const std::string& ns, const std::string& name) {
  return Call("DELETE", kind.ItemPath(ns, name), "");
}

Result<ApiResponse> ApiClient::MergePatch(const ResourceKind& kind, const std::string& ns, const std::string& name,
                                          const web::json::value& patch, const std::string& subresource) {
  std::string path = kind.ItemPath(ns, name);
  if (!subresource.empty()) path += "/" + subresource;
  return Call("PATCH", path, patch.serialize(), "application/merge-patch+json");
}

Result<ListResult> ApiClient::List(const ResourceKind& kind, const std::string& ns, int page_size,
                                   const std::string& label_selector) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    ListResult out;
    std::string cont;
    bool restart = false;
    do {
      std::string path = kind.CollectionPath(ns) + "?limit=" + std::to_string(page_size);
      if (!cont.empty()) path += "&continue=" + UrlEncode(cont);
      if (!label_selector.empty()) path += "&labelSelector=" + UrlEncode(label_selector);
      auto r = Call("GET", path, "");
      if (!r.ok()) return r.error();
      if (r->code == 410 && !cont.empty()) {
        restart = true;  // continue token expired: start over
        break;
      }
      if (!r->ok()) return Error{"list " + kind.plural + ": " + r->Message()};
      const auto& body = r->body;
      if (body.has_field("items") && body.at("items").is_array()) {
        for (const auto& item : body.at("items").as_array()) out.items.push_back(item);
      }
      cont.clear();
      if (body.has_field("metadata")) {
        cont = StringField(body.at("metadata"), "continue");
        out.resource_version = StringField(body.at("metadata"), "resourceVersion");
      }
    } while (!cont.empty());
    if (!restart) return out;
  }
  return Error{"list " + kind.plural + ": continue token expired twice"};
}

Result<ApiResponse> ApiClient::Watch(const ResourceKind& kind, const std::string& ns, const WatchOptions& options,
                                     const WatchCallback& on_event, std::stop_token stop) {
  HttpRequest req;
  req.path_and_query = kind.CollectionPath(ns) + "?watch=1&timeoutSeconds=" + std::to_string(options.timeout_seconds);
  if (options.allow_bookmarks) req.path_and_query += "&allowWatchBookmarks=true";
  if (!options.resource_version.empty()) req.path_and_query += "&resourceVersion=" + options.resource_version;
  if (!options.label_selector.empty()) req.path_and_query += "&labelSelector=" + UrlEncode(options.label_selector);
  ++requests_;
  WatchDecoder decoder;
  Status decode_status;
  std::vector<WatchEvent> events;
  auto r = transport_->Stream(
      req,
      [&](std::string_view chunk) {
        events.clear();
        decode_status = decoder.Feed(chunk, &events);
        for (auto& e : events) {
          if (!on_event(std::move(e))) return false;
        }
        return decode_status.ok();
      },
      stop);
  if (!r.ok()) return r.error();
  if (!decode_status.ok()) return Error{"watch " + kind.plural + ": " + decode_status.message()};
  return ApiResponse{r->status, ParseBody(r->body)};
}

}  // namespace rackboot::k8s
