#include "bootd/http/connection_admission.h"

namespace rackboot::bootd::http {

ConnectionAdmission::Verdict ConnectionAdmission::Admit(uint32_t client, bool tls) {
  ++active_;
  if (tls) ++tls_active_;
  size_t& mine = per_client_[client];
  if (mine >= limits_.max_per_client) {
    if (mine == 0) per_client_.erase(client);
    return Verdict::kAnswerBusy;
  }
  ++mine;
  return Verdict::kServe;
}

void ConnectionAdmission::Release(uint32_t client, bool tls, Verdict verdict) {
  --active_;
  if (tls) --tls_active_;
  if (verdict != Verdict::kServe) return;
  auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

}  // namespace rackboot::bootd::http
