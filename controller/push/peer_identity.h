#pragma once
// Rack identity of a bootd, taken from its verified client certificate.
// Convention: subject CN "bootd:<rack>" or a SAN URI/DNS "bootd:<rack>". The
// certificate, not the Hello message, decides which rack's assignments a
// stream may receive.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace grpc {
class AuthContext;
}

namespace rackboot::controller::push {

// "bootd:rack-a" -> "rack-a"; anything else (no prefix, empty or invalid
// rack name) -> nullopt. Rack names are DNS labels.
std::optional<std::string> RackFromIdentity(std::string_view identity);

// The single rack named by the peer's identities (CN first, then SANs);
// an error when none or several different racks are named.
Result<std::string> RackFromIdentities(const std::vector<std::string>& identities);

// Reads x509_common_name and x509_subject_alternative_name from gRPC's auth
// context (filled only after a verified TLS handshake).
Result<std::string> RackFromAuthContext(const grpc::AuthContext& auth);

}  // namespace rackboot::controller::push
