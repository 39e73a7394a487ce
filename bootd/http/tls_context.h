#pragma once
// TlsContextSource: the SSL_CTX for new HTTPS connections, reloaded when the
// certificate or key file changes on disk (checked on every new connection:
// two stat() calls, cheap next to a handshake). Connections already running
// keep the context they started with; a broken new pair is logged and the
// previous one stays in use.

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace rackboot::bootd::http {

class TlsContextSource {
 public:
  static Result<std::unique_ptr<TlsContextSource>> Create(std::string cert_file, std::string key_file);
  std::shared_ptr<SSL_CTX> Current();
  uint64_t reloads() const;

 private:
  TlsContextSource(std::string cert, std::string key) : cert_file_(std::move(cert)), key_file_(std::move(key)) {}
  struct FileStamp {
    ino_t ino = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  static FileStamp Stamp(const std::string& path);
  static Result<std::shared_ptr<SSL_CTX>> Load(const std::string& cert, const std::string& key);

  std::string cert_file_, key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<SSL_CTX> ctx_;
  FileStamp cert_stamp_, key_stamp_;
  uint64_t reloads_ = 0;
};

}  // namespace rackboot::bootd::http
