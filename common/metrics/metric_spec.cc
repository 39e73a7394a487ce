#include "common/metrics/metric_spec.h"

#include <stdexcept>

namespace rackboot::metrics {

namespace {

void RequireKind(const MetricSpec& spec, MetricKind kind) {
  if (spec.kind != kind) {
    throw std::logic_error("metric " + std::string(spec.name) + " registered with the wrong kind");
  }
}

}  // namespace

std::vector<std::string> ExposedNames(const MetricSpec& spec) {
  std::string name(spec.name);
  if (spec.kind == MetricKind::kHistogram) {
    return {name + "_bucket", name + "_sum", name + "_count"};
  }
  return {name};
}

const MetricSpec& RequireSpec(std::span<const MetricSpec> catalog, std::string_view name, std::string_view owner) {
  const MetricSpec* spec = FindSpec(catalog, name);
  if (spec == nullptr) throw std::logic_error("no " + std::string(owner) + " metric " + std::string(name));
  return *spec;
}

const MetricSpec* FindSpec(std::span<const MetricSpec> catalog, std::string_view name) {
  for (const MetricSpec& spec : catalog) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

prometheus::Family<prometheus::Counter>& AddCounter(prometheus::Registry& registry, const MetricSpec& spec,
                                                    const prometheus::Labels& constant_labels) {
  RequireKind(spec, MetricKind::kCounter);
  return prometheus::BuildCounter()
      .Name(std::string(spec.name))
      .Help(std::string(spec.help))
      .Labels(constant_labels)
      .Register(registry);
}

prometheus::Family<prometheus::Gauge>& AddGauge(prometheus::Registry& registry, const MetricSpec& spec,
                                                const prometheus::Labels& constant_labels) {
  RequireKind(spec, MetricKind::kGauge);
  return prometheus::BuildGauge()
      .Name(std::string(spec.name))
      .Help(std::string(spec.help))
      .Labels(constant_labels)
      .Register(registry);
}

prometheus::Family<prometheus::Histogram>& AddHistogram(prometheus::Registry& registry, const MetricSpec& spec,
                                                        const prometheus::Labels& constant_labels) {
  RequireKind(spec, MetricKind::kHistogram);
  return prometheus::BuildHistogram()
      .Name(std::string(spec.name))
      .Help(std::string(spec.help))
      .Labels(constant_labels)
      .Register(registry);
}

}  // namespace rackboot::metrics
