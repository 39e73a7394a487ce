#pragma once
// MetricSpec: one row of a component's metric catalog (bootd_metrics.h,
// controller_metrics.h). The catalogs are the single source of truth for
// metric names: the families are registered from them, the unit tests lint
// them against Prometheus naming rules, and the Grafana dashboard test checks
// every metric it queries against them.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rackboot::metrics {

enum class MetricKind { kCounter, kGauge, kHistogram };

struct MetricSpec {
  std::string_view name;  // full name, rackboot_ prefix, base unit suffix
  MetricKind kind;
  std::string_view help;
  // Label names the component sets per series, each with a bounded value set
  // (an enum, a configured rack or pool); never a MAC, IP or machine name.
  std::vector<std::string_view> labels;
};

// Names as they appear in the text exposition: a histogram also exports
// <name>_bucket, <name>_sum and <name>_count.
std::vector<std::string> ExposedNames(const MetricSpec& spec);

// Finds a spec by name in a catalog; nullptr when absent.
const MetricSpec* FindSpec(std::span<const MetricSpec> catalog, std::string_view name);
// Like FindSpec, for names the code itself defines: absence is a programming
// error (std::logic_error naming `owner` and the metric).
const MetricSpec& RequireSpec(std::span<const MetricSpec> catalog, std::string_view name, std::string_view owner);

// Registers the family described by spec; `constant_labels` are attached to
// every series (e.g. rack="rack-a" for one bootd). Throws std::logic_error
// when the spec's kind does not match T (a programming error).
prometheus::Family<prometheus::Counter>& AddCounter(prometheus::Registry& registry, const MetricSpec& spec,
                                                    const prometheus::Labels& constant_labels = {});
prometheus::Family<prometheus::Gauge>& AddGauge(prometheus::Registry& registry, const MetricSpec& spec,
                                                const prometheus::Labels& constant_labels = {});
prometheus::Family<prometheus::Histogram>& AddHistogram(prometheus::Registry& registry, const MetricSpec& spec,
                                                        const prometheus::Labels& constant_labels = {});

}  // namespace rackboot::metrics
