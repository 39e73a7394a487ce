// Lints the metric catalogs against Prometheus naming rules
// (https://prometheus.io/docs/practices/naming/) and checks that the
// families register and export what the catalog says.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "common/metrics/bootd_metrics.h"
#include "common/metrics/controller_metrics.h"
#include "common/metrics/label_values.h"

namespace rackboot::metrics {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// [a-z][a-z0-9_]*, not ending in '_' (std::regex trips GCC 12's
// maybe-uninitialized warning at -O1).
bool IsSnakeCase(std::string_view s) {
  if (s.empty() || s.front() < 'a' || s.front() > 'z' || s.back() == '_') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void LintCatalog(std::span<const MetricSpec> catalog) {
  // Unbounded identities must never be labels (one series per MAC/machine).
  const std::set<std::string> forbidden = {"mac", "ip", "machine", "name", "uid", "hostname", "nonce", "pod"};
  std::set<std::string_view> seen;
  for (const MetricSpec& spec : catalog) {
    std::string name(spec.name);
    SCOPED_TRACE(name);
    EXPECT_TRUE(seen.insert(spec.name).second) << "duplicate";
    EXPECT_TRUE(name.starts_with("rackboot_") && IsSnakeCase(name));
    EXPECT_FALSE(spec.help.empty());
    EXPECT_EQ(spec.kind == MetricKind::kCounter, EndsWith(name, "_total")) << "counters and only counters end _total";
    if (spec.kind == MetricKind::kHistogram) {
      EXPECT_TRUE(EndsWith(name, "_seconds") || EndsWith(name, "_bytes")) << "histograms in base units";
    }
    // Base units only: no milliseconds, kilobytes, minutes.
    for (const char* unit : {"_ms", "_millis", "_milliseconds", "_kb", "_mb", "_minutes", "_hours"}) {
      EXPECT_EQ(name.find(unit), std::string::npos) << unit;
    }
    for (std::string_view label : spec.labels) {
      EXPECT_TRUE(IsSnakeCase(label)) << label;
      EXPECT_EQ(forbidden.count(std::string(label)), 0u) << "unbounded label " << label;
      EXPECT_NE(label, "le") << "reserved by histograms";
    }
  }
}

TEST(MetricCatalogTest, BootdCatalogFollowsNamingRules) {
  LintCatalog(BootdMetricCatalog());
}

TEST(MetricCatalogTest, ControllerCatalogFollowsNamingRules) {
  LintCatalog(ControllerMetricCatalog());
}

TEST(MetricCatalogTest, LintRejectsBadNames) {
  // The lint itself must be able to fail.
  std::vector<MetricSpec> bad = {{"rackboot_requests", MetricKind::kCounter, "h", {}}};
  testing::TestPartResultArray failures;
  {
    testing::ScopedFakeTestPartResultReporter reporter(
        testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    LintCatalog(bad);
    LintCatalog(std::vector<MetricSpec>{{"rackboot_x_total", MetricKind::kCounter, "h", {"mac"}}});
    LintCatalog(std::vector<MetricSpec>{{"rackboot_latency_ms", MetricKind::kHistogram, "h", {}}});
  }
  EXPECT_GE(failures.size(), 3);
}

// docs/metrics.md, "Naming": rackboot_<subsystem>_<what>, where the
// subsystem says what is measured and belongs to one binary: the protocols
// bootd serves and bootd's own machinery; the fleet (machines, pools, boots)
// and the controller's own machinery. Only rackboot_build_info is shared.
bool StartsWithAny(std::string_view name, const std::vector<std::string_view>& prefixes) {
  for (std::string_view p : prefixes) {
    if (name.starts_with(p)) return true;
  }
  return false;
}

void ExpectSubsystems(std::span<const MetricSpec> catalog, const std::vector<std::string_view>& own,
                      const std::vector<std::string_view>& other) {
  for (const MetricSpec& spec : catalog) {
    if (spec.name == kBuildInfo) continue;
    EXPECT_TRUE(StartsWithAny(spec.name, own)) << spec.name << ": not one of this binary's subsystems";
    EXPECT_FALSE(StartsWithAny(spec.name, other)) << spec.name << ": the other binary's subsystem";
  }
}

const std::vector<std::string_view> kBootdSubsystems = {
    "rackboot_dhcp_",    "rackboot_tftp_",           "rackboot_http_", "rackboot_ipv6_",
    "rackboot_scripts_", "rackboot_artifact_cache_", "rackboot_bootd_"};
const std::vector<std::string_view> kControllerSubsystems = {"rackboot_machines", "rackboot_ip_pool_", "rackboot_boot_",
                                                             "rackboot_controller_"};

TEST(MetricCatalogTest, NamesFollowTheSubsystemScheme) {
  ExpectSubsystems(BootdMetricCatalog(), kBootdSubsystems, kControllerSubsystems);
  ExpectSubsystems(ControllerMetricCatalog(), kControllerSubsystems, kBootdSubsystems);
}

TEST(MetricCatalogTest, SubsystemSchemeCanFail) {
  testing::TestPartResultArray failures;
  {
    testing::ScopedFakeTestPartResultReporter reporter(
        testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    // A bootd family under the fleet's subsystem (bootd's own stage count is
    // rackboot_bootd_boot_events_total for this reason).
    ExpectSubsystems(std::vector<MetricSpec>{{"rackboot_boot_stages_total", MetricKind::kCounter, "h", {}}},
                     kBootdSubsystems, kControllerSubsystems);
  }
  EXPECT_EQ(failures.size(), 2);
}

TEST(MetricCatalogTest, SharedNamesAgree) {
  const MetricSpec* a = FindSpec(BootdMetricCatalog(), kBuildInfo);
  const MetricSpec* b = FindSpec(ControllerMetricCatalog(), kBuildInfo);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->kind, b->kind);
  EXPECT_EQ(a->labels, b->labels);
  EXPECT_EQ(FindSpec(BootdMetricCatalog(), "rackboot_nope_total"), nullptr);
}

TEST(MetricCatalogTest, ExposedNamesOfHistogram) {
  const MetricSpec* spec = FindSpec(ControllerMetricCatalog(), kBootStageDurationSeconds);
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(ExposedNames(*spec), (std::vector<std::string>{"rackboot_boot_stage_duration_seconds_bucket",
                                                           "rackboot_boot_stage_duration_seconds_sum",
                                                           "rackboot_boot_stage_duration_seconds_count"}));
}

// Adds one series to a member family (families without series are not
// exported) and records its name.
template <typename F>
void Touch(F& family, std::span<const MetricSpec> catalog, std::set<std::string>* names) {
  const MetricSpec* spec = FindSpec(catalog, family.GetName());
  ASSERT_NE(spec, nullptr) << family.GetName();
  prometheus::Labels labels;
  for (std::string_view l : spec->labels) labels[std::string(l)] = "x";
  if constexpr (std::is_same_v<F, prometheus::Family<prometheus::Histogram>>) {
    family.Add(labels, prometheus::Histogram::BucketBoundaries{1});
  } else {
    family.Add(labels);
  }
  EXPECT_TRUE(names->insert(family.GetName()).second) << "two members share " << family.GetName();
}

// The registry exports exactly the catalog, with no undeclared labels.
void ExpectRegistryMatchesCatalog(prometheus::Registry& registry, std::span<const MetricSpec> catalog) {
  std::set<std::string> registered;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    registered.insert(family.name);
    const MetricSpec* spec = FindSpec(catalog, family.name);
    ASSERT_NE(spec, nullptr) << family.name;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        bool known = label.name == "rack" ||
                     std::find(spec->labels.begin(), spec->labels.end(), label.name) != spec->labels.end();
        EXPECT_TRUE(known) << family.name << " has undeclared label " << label.name;
      }
    }
  }
  EXPECT_EQ(registered.size(), catalog.size());
}

TEST(MetricCatalogTest, BootdFamiliesMatchCatalog) {
  prometheus::Registry registry;
  BootdMetrics m(registry, "rack-a", "0.1.0");
  auto c = BootdMetricCatalog();
  std::set<std::string> names;
  Touch(m.build_info, c, &names);
  Touch(m.dhcp_packets, c, &names);
  Touch(m.dhcp_dropped_packets, c, &names);
  Touch(m.dhcp_leases, c, &names);
  Touch(m.dhcp_processing_duration, c, &names);
  Touch(m.tftp_transfers, c, &names);
  Touch(m.tftp_transfers_active, c, &names);
  Touch(m.tftp_sent_bytes, c, &names);
  Touch(m.tftp_transfer_duration, c, &names);
  Touch(m.tftp_overload_requests, c, &names);
  Touch(m.tftp_requests_queued, c, &names);
  Touch(m.ipv6_router_solicitations, c, &names);
  Touch(m.ipv6_router_advertisements, c, &names);
  Touch(m.http_requests, c, &names);
  Touch(m.http_response_bytes, c, &names);
  Touch(m.http_overload, c, &names);
  Touch(m.http_request_duration, c, &names);
  Touch(m.scripts_rendered, c, &names);
  Touch(m.artifact_cache_requests, c, &names);
  Touch(m.artifact_cache_bytes, c, &names);
  Touch(m.boot_stages, c, &names);
  Touch(m.controller_stream_state, c, &names);
  Touch(m.controller_streams, c, &names);
  Touch(m.assignment_version, c, &names);
  Touch(m.assignment_updates, c, &names);
  Touch(m.assignments, c, &names);
  Touch(m.event_outbox_events, c, &names);
  EXPECT_EQ(names.size(), c.size()) << "a catalog entry without a member";
  ExpectRegistryMatchesCatalog(registry, c);
}

TEST(MetricCatalogTest, ControllerFamiliesMatchCatalog) {
  prometheus::Registry registry;
  ControllerMetrics m(registry, "0.1.0");
  auto c = ControllerMetricCatalog();
  std::set<std::string> names;
  Touch(m.build_info, c, &names);
  Touch(m.machines, c, &names);
  Touch(m.machines_boot_stage, c, &names);
  Touch(m.machines_boot_loop, c, &names);
  Touch(m.boot_stages, c, &names);
  Touch(m.boot_stage_duration, c, &names);
  Touch(m.boot_failures, c, &names);
  Touch(m.ip_pool_addresses, c, &names);
  Touch(m.reconciles, c, &names);
  Touch(m.reconcile_duration, c, &names);
  Touch(m.workqueue_depth, c, &names);
  Touch(m.workqueue_adds, c, &names);
  Touch(m.workqueue_retries, c, &names);
  Touch(m.workqueue_queue_duration, c, &names);
  Touch(m.kube_api_requests, c, &names);
  Touch(m.kube_api_request_duration, c, &names);
  Touch(m.leader, c, &names);
  Touch(m.bootd_connected, c, &names);
  Touch(m.bootd_streams, c, &names);
  Touch(m.assignment_version, c, &names);
  Touch(m.bootd_acked_version, c, &names);
  Touch(m.assignment_pushes, c, &names);
  EXPECT_EQ(names.size(), c.size()) << "a catalog entry without a member";
  ExpectRegistryMatchesCatalog(registry, c);
}

TEST(MetricCatalogTest, BootdSeriesCarryTheRack) {
  prometheus::Registry registry;
  BootdMetrics metrics(registry, "rack-b", "0.1.0");
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("rackboot_build_info{rack=\"rack-b\",component=\"bootd\",version=\"0.1.0\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rackboot_bootd_boot_events_total{rack=\"rack-b\",stage=\"booted\"} 0"), std::string::npos);
  // Exactly one stream state is 1.
  metrics.SetControllerStreamState("streaming");
  text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("rackboot_bootd_controller_stream_state{rack=\"rack-b\",state=\"streaming\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("rackboot_bootd_controller_stream_state{rack=\"rack-b\",state=\"idle\"} 0"), std::string::npos);
}

TEST(MetricCatalogTest, AddRackCreatesZeroSeriesForEveryPhaseAndStage) {
  prometheus::Registry registry;
  ControllerMetrics metrics(registry, "0.1.0");
  metrics.AddRack("rack-a");
  std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  for (std::string_view phase : kMachinePhases) {
    EXPECT_NE(text.find("rackboot_machines{phase=\"" + std::string(phase) + "\",rack=\"rack-a\"} 0"), std::string::npos)
        << phase;
  }
  for (std::string_view stage : kBootStages) {
    EXPECT_NE(text.find("rackboot_boot_stages_total{rack=\"rack-a\",stage=\"" + std::string(stage) + "\"} 0"),
              std::string::npos)
        << stage;
    EXPECT_NE(text.find("rackboot_machines_boot_stage{rack=\"rack-a\",stage=\"" + std::string(stage) + "\"} 0"),
              std::string::npos)
        << stage;
  }
  EXPECT_NE(text.find("rackboot_machines_boot_loop{rack=\"rack-a\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("rackboot_boot_stage_duration_seconds_bucket{rack=\"rack-a\",stage=\"booted\",le=\"3600\"} 0"),
            std::string::npos);
}

TEST(MetricCatalogTest, WrongKindIsAProgrammingError) {
  prometheus::Registry registry;
  const MetricSpec* counter = FindSpec(ControllerMetricCatalog(), kReconcilesTotal);
  ASSERT_NE(counter, nullptr);
  EXPECT_THROW(AddGauge(registry, *counter), std::logic_error);
}

}  // namespace
}  // namespace rackboot::metrics
