#pragma once
// Loading PEM certificates and keys with OpenSSL, shared by bootd's HTTPS
// listener (bootd/http/tls_context.h) and its start-up checks
// (bootd/config/host_checks.h), so --check-config rejects exactly what the
// listener would.

#include <memory>
#include <string>

#include "common/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace rackboot {

// A TLS server context (TLS 1.2+) with the certificate chain and matching key.
Result<std::shared_ptr<SSL_CTX>> LoadTlsServerContext(const std::string& cert_file, const std::string& key_file);

// `path` holds at least one PEM certificate (a CA bundle).
Status CheckPemCertificates(const std::string& path);

}  // namespace rackboot
