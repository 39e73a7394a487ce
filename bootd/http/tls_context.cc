#include "bootd/http/tls_context.h"

#include <sys/stat.h>

#include "common/log.h"
#include "common/tls_files.h"

namespace rackboot::bootd::http {

TlsContextSource::FileStamp TlsContextSource::Stamp(const std::string& path) {
  struct stat st {};
  FileStamp s;
  if (::stat(path.c_str(), &st) == 0) {
    s.ino = st.st_ino;
    s.size = st.st_size;
    s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  }
  return s;
}

Result<std::shared_ptr<SSL_CTX>> TlsContextSource::Load(const std::string& cert, const std::string& key) {
  return LoadTlsServerContext(cert, key);
}

Result<std::unique_ptr<TlsContextSource>> TlsContextSource::Create(std::string cert_file, std::string key_file) {
  std::unique_ptr<TlsContextSource> src(new TlsContextSource(std::move(cert_file), std::move(key_file)));
  src->cert_stamp_ = Stamp(src->cert_file_);
  src->key_stamp_ = Stamp(src->key_file_);
  auto ctx = Load(src->cert_file_, src->key_file_);
  if (!ctx.ok()) return ctx.error();
  src->ctx_ = *ctx;
  return src;
}

std::shared_ptr<SSL_CTX> TlsContextSource::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  FileStamp c = Stamp(cert_file_), k = Stamp(key_file_);
  if (c == cert_stamp_ && k == key_stamp_) return ctx_;
  auto fresh = Load(cert_file_, key_file_);
  // Remember the stamps either way: a half-written pair is retried when it
  // changes again, not on every connection.
  cert_stamp_ = c;
  key_stamp_ = k;
  if (!fresh.ok()) {
    log::Warn("http", "certificate reload failed; keeping the previous one", {{"error", fresh.error().message}});
    return ctx_;
  }
  ctx_ = *fresh;
  ++reloads_;
  log::Info("http", "certificate reloaded", {{"cert", cert_file_}});
  return ctx_;
}

uint64_t TlsContextSource::reloads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reloads_;
}

}  // namespace rackboot::bootd::http
