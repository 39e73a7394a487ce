#pragma once
// PushObserver: what the push server reports back into the controller --
// boot events (to write Machine status) and ACK/NACK outcomes (a NACK becomes
// a Machine condition). Called from gRPC threads; implementations must be
// thread-safe and quick (hand work to a queue).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rackboot/v1alpha1/assignment.pb.h"

namespace rackboot::controller::push {

class PushObserver {
 public:
  virtual ~PushObserver() = default;
  // A boot event, de-duplicated across resends. bootd forgets it once this
  // returns (the EventAck follows), so store or queue it before returning.
  virtual void OnBootEvent(const std::string& rack, const v1alpha1::BootEvent& event) = 0;
  // The push server calls this one. An observer that stores events out of
  // line overrides it and calls `stored` once the event is written (or given
  // up for good); only then is it covered by bootd's EventAck, so a
  // controller killed in between gets the event again from bootd. `stored`
  // may be called from any thread, at most once.
  virtual void AcceptBootEvent(const std::string& rack, const v1alpha1::BootEvent& event,
                               std::function<void()> stored) {
    OnBootEvent(rack, event);
    stored();
  }
  // bootd applied `version`.
  virtual void OnAck(const std::string& rack, uint64_t version) = 0;
  // bootd rejected `version` and keeps its previous state; `machines` are the
  // machines the rejected update carried (candidates for a condition).
  virtual void OnNack(const std::string& rack, uint64_t version, const std::string& error_detail,
                      const std::vector<std::string>& machines) = 0;
  // A bootd of `rack` said Hello / its stream ended; an update went out
  // (metrics; the default ignores them).
  virtual void OnStreamOpened(const std::string& /*rack*/) {}
  virtual void OnStreamClosed(const std::string& /*rack*/) {}
  virtual void OnUpdateSent(const std::string& /*rack*/, uint64_t /*version*/) {}
};

}  // namespace rackboot::controller::push
