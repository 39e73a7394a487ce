#include "controller/k8s/watch_decoder.h"

#include <system_error>

namespace rackboot::k8s {

int WatchEvent::ErrorCode() const {
  if (type != WatchEventType::kError || !object.is_object() || !object.has_field("code")) return 0;
  const auto& code = object.at("code");
  return code.is_integer() ? code.as_integer() : 0;
}

std::string_view WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
    case WatchEventType::kError: return "ERROR";
  }
  return "?";
}

Status WatchDecoder::Feed(std::string_view bytes, std::vector<WatchEvent>* out) {
  if (failed_) return Error{"watch stream already failed"};
  size_t start = 0;
  while (start < bytes.size()) {
    size_t nl = bytes.find('\n', start);
    if (nl == std::string_view::npos) {
      if (buffer_.size() + (bytes.size() - start) > kMaxLineBytes) {
        failed_ = true;
        return Error{"watch event exceeds " + std::to_string(kMaxLineBytes) + " bytes"};
      }
      buffer_.append(bytes.substr(start));
      break;
    }
    Status s;
    if (buffer_.empty()) {
      s = DecodeLine(bytes.substr(start, nl - start), out);
    } else {
      if (buffer_.size() + (nl - start) > kMaxLineBytes) {
        failed_ = true;
        return Error{"watch event exceeds " + std::to_string(kMaxLineBytes) + " bytes"};
      }
      buffer_.append(bytes.substr(start, nl - start));
      s = DecodeLine(buffer_, out);
      buffer_.clear();
    }
    if (!s.ok()) {
      failed_ = true;
      return s;
    }
    start = nl + 1;
  }
  return Status::Ok();
}

Status WatchDecoder::DecodeLine(std::string_view line, std::vector<WatchEvent>* out) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.empty()) return Status::Ok();  // blank keep-alive lines
  std::error_code ec;
  web::json::value v = web::json::value::parse(std::string(line), ec);
  if (ec) return Error{"watch event is not JSON: " + ec.message()};
  if (!v.is_object() || !v.has_field("type") || !v.at("type").is_string()) {
    return Error{"watch event without a string 'type'"};
  }
  if (!v.has_field("object") || !v.at("object").is_object()) return Error{"watch event without an 'object'"};
  const std::string& type = v.at("type").as_string();
  WatchEvent e;
  if (type == "ADDED") {
    e.type = WatchEventType::kAdded;
  } else if (type == "MODIFIED") {
    e.type = WatchEventType::kModified;
  } else if (type == "DELETED") {
    e.type = WatchEventType::kDeleted;
  } else if (type == "BOOKMARK") {
    e.type = WatchEventType::kBookmark;
  } else if (type == "ERROR") {
    e.type = WatchEventType::kError;
  } else {
    return Error{"unknown watch event type '" + type.substr(0, 32) + "'"};
  }
  e.object = std::move(v.at("object"));
  out->push_back(std::move(e));
  return Status::Ok();
}

}  // namespace rackboot::k8s
