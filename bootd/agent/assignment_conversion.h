#pragma once
// Conversions between the wire form (proto) and bootd's own types. Input
// comes from the network, so conversion validates: a bad MAC or address makes
// the whole update a NACK instead of a half-applied state.

#include <string>

#include "bootd/assignments/assignment.h"
#include "bootd/events/boot_event.h"
#include "common/result.h"
#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::bootd::agent {

// `rack` is ours; an assignment naming another rack is rejected, and so is
// one without machine name or without both MAC and UUID.
Result<Assignment> AssignmentFromProto(const v1alpha1::HostAssignment& in, const std::string& rack);

// Field mapping only (a bad MAC or address still fails): for assignments
// resolved locally, such as standalone's default for unknown machines,
// which has no name and no interfaces.
Result<Assignment> ConvertHostAssignment(const v1alpha1::HostAssignment& in);

v1alpha1::BootEvent BootEventToProto(const BootEvent& event);

}  // namespace rackboot::bootd::agent
