#pragma once
// coordination.k8s.io/v1 Lease, the leader-election lock.

#include <cstdint>
#include <string>

#include "common/result.h"
#include "controller/model/json_fields.h"
#include "controller/model/object_meta.h"

namespace rackboot::model {

struct Lease {
  ObjectMeta meta;
  // metadata.labels and .annotations as read (null when absent), written
  // back by ToJson: a replace must not strip what Helm put on the Lease it
  // owns (its release labels and meta.helm.sh annotations).
  Json labels;
  Json annotations;
  std::string holder_identity;
  int64_t lease_duration_seconds = 0;
  std::string acquire_time;  // metav1.MicroTime
  std::string renew_time;
  int64_t lease_transitions = 0;  // our fencing epoch

  static Result<Lease> FromJson(const Json& object);
  // A full object for create/replace (resourceVersion included when set).
  Json ToJson() const;
};

}  // namespace rackboot::model
