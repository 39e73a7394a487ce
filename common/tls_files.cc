#include "common/tls_files.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstdio>

namespace rackboot {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

}  // namespace

Result<std::shared_ptr<SSL_CTX>> LoadTlsServerContext(const std::string& cert_file, const std::string& key_file) {
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (raw == nullptr) return Error{"SSL_CTX_new: " + OpenSslError()};
  std::shared_ptr<SSL_CTX> ctx(raw, SSL_CTX_free);
  SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(raw, cert_file.c_str()) != 1) {
    return Error{"certificate " + cert_file + ": " + OpenSslError()};
  }
  if (SSL_CTX_use_PrivateKey_file(raw, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Error{"private key " + key_file + ": " + OpenSslError()};
  }
  if (SSL_CTX_check_private_key(raw) != 1) return Error{"key does not match certificate: " + OpenSslError()};
  return ctx;
}

Status CheckPemCertificates(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "r"), std::fclose);
  if (!f) return Error{"cannot open " + path};
  X509* cert = PEM_read_X509(f.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) return Error{path + " holds no PEM certificate: " + OpenSslError()};
  X509_free(cert);
  return Status::Ok();
}

}  // namespace rackboot
