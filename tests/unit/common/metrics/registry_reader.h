#pragma once
// Reads series back from a prometheus::Registry in unit tests of the metric
// bridges (bootd/metrics, controller/metrics).

#include <prometheus/registry.h>

#include <map>
#include <optional>
#include <string>

namespace rackboot::testing {

using MetricLabels = std::map<std::string, std::string>;

struct SeriesReading {
  prometheus::MetricType type;
  prometheus::ClientMetric metric;
};

// The first series of `name` whose labels include all of `want`.
inline std::optional<SeriesReading> FindSeries(prometheus::Registry& registry, const std::string& name,
                                               const MetricLabels& want) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      MetricLabels labels;
      for (const auto& l : m.label) labels[l.name] = l.value;
      bool match = true;
      for (const auto& [k, v] : want) match = match && labels[k] == v;
      if (match) return SeriesReading{family.type, m};
    }
  }
  return std::nullopt;
}

// A counter's or gauge's value, a histogram's sample count; -1 when absent.
inline double SeriesValue(prometheus::Registry& registry, const std::string& name, const MetricLabels& want) {
  auto s = FindSeries(registry, name, want);
  if (!s) return -1;
  if (s->type == prometheus::MetricType::Counter) return s->metric.counter.value;
  if (s->type == prometheus::MetricType::Gauge) return s->metric.gauge.value;
  if (s->type == prometheus::MetricType::Histogram) return static_cast<double>(s->metric.histogram.sample_count);
  return -1;
}

inline double HistogramSum(prometheus::Registry& registry, const std::string& name, const MetricLabels& want) {
  auto s = FindSeries(registry, name, want);
  return s ? s->metric.histogram.sample_sum : -1;
}

}  // namespace rackboot::testing
