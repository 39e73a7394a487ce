#include "controller/k8s/cpprest_transport.h"

#include <cpprest/http_client.h>
#include <cpprest/rawptrstream.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/ssl.hpp>
#include <mutex>

#include "common/yaml_config.h"

namespace rackboot::k8s {
namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

web::http::http_request MakeMessage(const HttpRequest& request, const std::string& token) {
  web::http::http_request msg(utility::conversions::to_string_t(request.method));
  msg.set_request_uri(utility::conversions::to_string_t(request.path_and_query));
  msg.headers().add("Accept", "application/json");
  msg.headers().add("User-Agent", "rackboot-controller");
  if (!token.empty()) msg.headers().add("Authorization", "Bearer " + token);
  for (const auto& [k, v] : request.headers) msg.headers().add(k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    msg.set_body(request.body, request.content_type);
  }
  return msg;
}

// Throws if the PEM does not parse, so a bad kubeconfig fails at start-up.
void CheckPem(const std::string& pem, const char* what) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  bool ok = false;
  if (std::string(what) == "client-key") {
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    ok = key != nullptr;
    EVP_PKEY_free(key);
  } else {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    ok = cert != nullptr;
    X509_free(cert);
  }
  BIO_free(bio);
  if (!ok) throw ConfigError("(kubeconfig)", 0, 0, what, "not a valid PEM");
}

}  // namespace

struct CpprestTransport::Impl {
  ClientConfig config;
  std::unique_ptr<TokenFileSource> token_file;
  std::unique_ptr<http_client> client;

  std::string Token() const { return token_file ? token_file->Token() : config.token; }
};

CpprestTransport::CpprestTransport(const ClientConfig& config, std::chrono::seconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  if (!config.token_file.empty()) impl_->token_file = std::make_unique<TokenFileSource>(config.token_file);
  if (!config.ca_pem.empty()) CheckPem(config.ca_pem, "certificate-authority");
  if (!config.client_cert_pem.empty()) {
    CheckPem(config.client_cert_pem, "client-certificate");
    CheckPem(config.client_key_pem, "client-key");
  }
  http_client_config cc;
  cc.set_timeout(timeout);
  cc.set_validate_certificates(!config.insecure_skip_tls_verify);
  const ClientConfig tls = config;
  cc.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
    boost::system::error_code ec;
    if (!tls.ca_pem.empty()) {
      ctx.add_certificate_authority(boost::asio::buffer(tls.ca_pem), ec);
    } else {
      ctx.set_default_verify_paths(ec);
    }
    if (!tls.client_cert_pem.empty()) {
      ctx.use_certificate_chain(boost::asio::buffer(tls.client_cert_pem), ec);
      ctx.use_private_key(boost::asio::buffer(tls.client_key_pem), boost::asio::ssl::context::pem, ec);
    }
  });
  try {
    impl_->client = std::make_unique<http_client>(utility::conversions::to_string_t(config.server), cc);
  } catch (const std::exception& e) {
    throw ConfigError("(kubeconfig)", 0, 0, "server", std::string("unusable server URL: ") + e.what());
  }
}

CpprestTransport::~CpprestTransport() = default;

Result<HttpResponse> CpprestTransport::Send(const HttpRequest& request) {
  try {
    web::http::http_response resp = impl_->client->request(MakeMessage(request, impl_->Token())).get();
    HttpResponse out;
    out.status = resp.status_code();
    out.body = resp.extract_utf8string(true).get();
    return out;
  } catch (const std::exception& e) {
    return Error{std::string("http ") + request.method + " " + request.path_and_query + ": " + e.what()};
  }
}

Result<HttpResponse> CpprestTransport::Stream(const HttpRequest& request, const ChunkCallback& on_chunk,
                                              std::stop_token stop) {
  // Cancelling the token closes the connection, which also ends a blocked read.
  pplx::cancellation_token_source cancel;
  std::stop_callback on_stop(stop, [&cancel] { cancel.cancel(); });
  try {
    web::http::http_response resp =
        impl_->client->request(MakeMessage(request, impl_->Token()), cancel.get_token()).get();
    HttpResponse out;
    out.status = resp.status_code();
    if (out.status < 200 || out.status > 299) {
      out.body = resp.extract_utf8string(true).get();
      return out;
    }
    auto buf = resp.body().streambuf();
    std::string chunk;
    while (!stop.stop_requested()) {
      // Block for one byte, then take whatever else has already arrived:
      // getn(n) would wait for n bytes, which a quiet watch never sends.
      auto c = buf.bumpc().get();
      if (c == decltype(buf)::traits::eof()) break;
      chunk.assign(1, static_cast<char>(c));
      size_t avail = buf.in_avail();
      if (avail > 0) {
        size_t old = chunk.size();
        chunk.resize(old + avail);
        // `avail` bytes are buffered already, so this completes at once.
        size_t got = buf.getn(reinterpret_cast<uint8_t*>(chunk.data() + old), avail).get();
        chunk.resize(old + got);
      }
      if (!on_chunk(chunk)) {
        cancel.cancel();
        break;
      }
    }
    return out;
  } catch (const std::exception& e) {
    if (stop.stop_requested()) return HttpResponse{200, ""};
    return Error{std::string("http stream ") + request.path_and_query + ": " + e.what()};
  }
}

}  // namespace rackboot::k8s
