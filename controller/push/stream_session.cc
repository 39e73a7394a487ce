#include "controller/push/stream_session.h"

#include <utility>

namespace rackboot::controller::push {

StreamSession::StreamSession(std::string rack, std::string stream_id)
    : rack_(std::move(rack)), stream_id_(std::move(stream_id)) {}

void StreamSession::OnHello(const v1alpha1::Hello& hello) {
  has_hello_ = true;
  applied_version_ = hello.last_applied_version();
  applied_epoch_ = hello.last_applied_epoch();
}

std::optional<v1alpha1::AssignmentUpdate> StreamSession::NextUpdate(RackSnapshotCache& cache) {
  if (!has_hello_ || in_flight_) return std::nullopt;
  const uint64_t epoch = cache.leader_epoch();
  auto plan = cache.Plan(rack_, applied_version_, applied_epoch_);
  if (!plan) return std::nullopt;
  // Hold after a NACK: only a strictly newer version may go out.
  if (nacked_version_ && plan->version <= *nacked_version_) return std::nullopt;

  v1alpha1::AssignmentUpdate u;
  u.set_version(plan->version);
  u.set_nonce(stream_id_ + "-" + std::to_string(next_nonce_++));
  u.set_leader_epoch(epoch);
  u.set_full_snapshot(plan->full_snapshot);
  if (!plan->full_snapshot) u.set_base_version(plan->base_version);
  InFlight f{u.nonce(), plan->version, epoch, {}};
  for (auto& a : plan->upserts) {
    f.machines.push_back(a.machine_name());
    *u.add_upserts() = std::move(a);
  }
  for (auto& name : plan->removals) u.add_removals(std::move(name));
  in_flight_ = std::move(f);
  return u;
}

AckOutcome StreamSession::OnAck(const v1alpha1::Ack& ack) {
  AckOutcome out;
  if (!in_flight_ || ack.nonce() != in_flight_->nonce) return out;
  out.version = in_flight_->version;
  // A NACK is recognised by its error detail, not by the version it reports.
  if (ack.error_detail().empty()) {
    out.kind = AckOutcome::Kind::kAck;
    applied_version_ = in_flight_->version;
    applied_epoch_ = in_flight_->epoch;
    nacked_version_.reset();
  } else {
    out.kind = AckOutcome::Kind::kNack;
    out.error_detail = ack.error_detail();
    out.machines = std::move(in_flight_->machines);
    nacked_version_ = in_flight_->version;
  }
  in_flight_.reset();
  return out;
}

}  // namespace rackboot::controller::push
