#include "controller/push/peer_identity.h"

#include <grpcpp/security/auth_context.h>

#include <set>

namespace rackboot::controller::push {

namespace {

constexpr std::string_view kPrefix = "bootd:";

bool IsDnsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> RackFromIdentity(std::string_view identity) {
  if (identity.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rack = identity.substr(kPrefix.size());
  if (!IsDnsLabel(rack)) return std::nullopt;
  return std::string(rack);
}

Result<std::string> RackFromIdentities(const std::vector<std::string>& identities) {
  std::set<std::string> racks;
  for (const auto& id : identities) {
    if (auto r = RackFromIdentity(id)) racks.insert(*r);
  }
  if (racks.empty()) return Error{"client certificate names no bootd rack identity (want CN or SAN bootd:<rack>)"};
  if (racks.size() > 1) return Error{"client certificate names more than one rack"};
  return *racks.begin();
}

Result<std::string> RackFromAuthContext(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) return Error{"peer not authenticated"};
  std::vector<std::string> ids;
  for (const char* property : {"x509_common_name", "x509_subject_alternative_name"}) {
    for (const auto& v : auth.FindPropertyValues(property)) ids.emplace_back(v.data(), v.size());
  }
  return RackFromIdentities(ids);
}

}  // namespace rackboot::controller::push
