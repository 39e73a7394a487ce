#pragma once
// Reading a live Prometheus text exposition (format 0.0.4) in tests: the
// samples, label matching, and promtool's linter on the scrape.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace rackboot::testing::metrics {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every sample line (comments skipped). Label values may not contain '"'
// escapes in our metrics; the parser handles \" anyway.
std::vector<Sample> ParseScrape(const std::string& text);

// Sum of the samples named `name` whose labels include all of `match`;
// -1 when no sample matches (absent, unlike zero).
double SumOf(const std::vector<Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& match = {});

// Names that have at least one sample.
std::set<std::string> SampleNames(const std::vector<Sample>& samples);

// `promtool check metrics` on `text` (stdin); returns its exit code and
// fills `output` with what it printed.
int PromtoolCheckMetrics(const std::string& text, std::string* output);

// Family names of a scrape, from its "# TYPE <name> <type>" lines (a
// histogram is one family: its name without _bucket/_sum/_count).
std::set<std::string> FamilyNames(const std::string& text);

// The metrics docs/metrics.md lists in the section whose "## " heading
// starts with `heading`: the first cell of each table row, "| `name` |".
std::set<std::string> DocumentedMetrics(const std::string& markdown_path, const std::string& heading);

// Every rackboot_* metric name the Grafana dashboard's expressions query.
std::set<std::string> DashboardMetricNames(const std::string& dashboard_json_path);

}  // namespace rackboot::testing::metrics
