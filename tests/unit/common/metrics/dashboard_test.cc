// The Grafana dashboard (deploy/grafana/rackboot-boot-progress.json; the
// chart ships the same file) loads as JSON, selects its data source through
// a variable, and queries only metrics and labels the catalogs define.
#include <cpprest/json.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/metrics/bootd_metrics.h"
#include "common/metrics/controller_metrics.h"

namespace rackboot::metrics {
namespace {

using web::json::value;

value LoadDashboard() {
  std::ifstream in(RACKBOOT_DASHBOARD_JSON);
  std::stringstream text;
  text << in.rdbuf();
  return value::parse(text.str());
}

// Exposed series name (histograms: _bucket/_sum/_count) -> its spec.
std::map<std::string, const MetricSpec*> ExposedCatalog() {
  std::map<std::string, const MetricSpec*> exposed;
  for (auto catalog : {BootdMetricCatalog(), ControllerMetricCatalog()}) {
    for (const MetricSpec& spec : catalog) {
      for (const std::string& name : ExposedNames(spec)) exposed[name] = &spec;
    }
  }
  return exposed;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

struct Selector {
  std::string metric;
  std::vector<std::string> labels;  // label names of the matchers in {...}
};

// Every rackboot_* metric name in a PromQL expression, with the label names
// of its {...} matchers. (Hand-written: std::regex trips GCC 12's
// maybe-uninitialized warning at -O1.)
std::vector<Selector> Selectors(const std::string& expr) {
  std::vector<Selector> out;
  size_t pos = 0;
  while ((pos = expr.find("rackboot_", pos)) != std::string::npos) {
    if (pos > 0 && (IsNameChar(expr[pos - 1]) || expr[pos - 1] == ':')) {
      pos += 9;
      continue;
    }
    size_t end = pos;
    while (end < expr.size() && IsNameChar(expr[end])) ++end;
    Selector sel{expr.substr(pos, end - pos), {}};
    if (end < expr.size() && expr[end] == '{') {
      size_t close = expr.find('}', end);
      std::string body = expr.substr(end + 1, close - end - 1);
      // name op "value", ...: label names are the identifiers before an operator.
      size_t i = 0;
      while (i < body.size()) {
        while (i < body.size() && (body[i] == ' ' || body[i] == ',')) ++i;
        size_t start = i;
        while (i < body.size() && (IsNameChar(body[i]) || (body[i] >= 'A' && body[i] <= 'Z'))) ++i;
        if (i > start) sel.labels.push_back(body.substr(start, i - start));
        size_t quote = body.find('"', i);
        if (quote == std::string::npos) break;
        size_t quote_end = body.find('"', quote + 1);
        if (quote_end == std::string::npos) break;
        i = quote_end + 1;
      }
      end = close == std::string::npos ? expr.size() : close;
    }
    out.push_back(std::move(sel));
    pos = end;
  }
  return out;
}

// Problems of one PromQL expression: metric names no catalog exports, and
// label matchers on a metric that does not have that label.
std::vector<std::string> CheckExpression(const std::string& expr) {
  static const std::map<std::string, const MetricSpec*> exposed = ExposedCatalog();
  std::vector<std::string> problems;
  for (const Selector& sel : Selectors(expr)) {
    auto found = exposed.find(sel.metric);
    if (found == exposed.end()) {
      problems.push_back("unknown metric " + sel.metric);
      continue;
    }
    const MetricSpec& spec = *found->second;
    for (const std::string& label : sel.labels) {
      bool known = label == "rack" || (label == "le" && spec.kind == MetricKind::kHistogram) ||
                   std::find(spec.labels.begin(), spec.labels.end(), label) != spec.labels.end();
      if (!known) problems.push_back(sel.metric + " has no label " + label);
    }
  }
  return problems;
}

// Walks the whole document: every "expr" and variable query, and every
// "datasource" object.
void Walk(const value& v, std::vector<std::string>* exprs, std::vector<value>* datasources) {
  if (v.is_array()) {
    for (const value& item : v.as_array()) Walk(item, exprs, datasources);
    return;
  }
  if (!v.is_object()) return;
  for (const auto& [key, child] : v.as_object()) {
    if (key == "expr" && child.is_string()) exprs->push_back(child.as_string());
    if (key == "definition" && child.is_string()) exprs->push_back(child.as_string());
    if (key == "datasource") datasources->push_back(child);
    Walk(child, exprs, datasources);
  }
}

TEST(DashboardTest, CheckExpressionCanFail) {
  EXPECT_TRUE(CheckExpression("sum(rate(rackboot_dhcp_packets_total{rack=~\"$rack\",type=\"discover\"}[5m]))").empty());
  EXPECT_EQ(CheckExpression("rate(rackboot_dhcp_packet_total[5m])"),
            std::vector<std::string>{"unknown metric rackboot_dhcp_packet_total"});
  EXPECT_EQ(CheckExpression("rackboot_machines{phas=\"Booting\"}"),
            std::vector<std::string>{"rackboot_machines has no label phas"});
  EXPECT_EQ(CheckExpression("rackboot_machines_bucket"),
            std::vector<std::string>{"unknown metric rackboot_machines_bucket"});
  EXPECT_TRUE(CheckExpression("rackboot_boot_stage_duration_seconds_bucket{le=\"60\",stage=\"booted\"}").empty());
}

TEST(DashboardTest, LoadsWithTitleAndVariables) {
  value d = LoadDashboard();
  EXPECT_EQ(d.at("title").as_string(), "rackboot boot progress");
  EXPECT_EQ(d.at("uid").as_string(), "rackboot-boot-progress");
  std::set<std::string> names;
  for (const value& var : d.at("templating").at("list").as_array()) {
    names.insert(var.at("name").as_string());
    if (var.at("name").as_string() == "datasource") {
      EXPECT_EQ(var.at("type").as_string(), "datasource");
      EXPECT_EQ(var.at("query").as_string(), "prometheus");
    }
    if (var.at("name").as_string() == "rack") {
      EXPECT_TRUE(var.at("multi").as_bool());
      EXPECT_TRUE(var.at("includeAll").as_bool());
    }
  }
  EXPECT_TRUE(names.count("datasource"));
  EXPECT_TRUE(names.count("rack"));
}

TEST(DashboardTest, DataSourceOnlyThroughTheVariable) {
  std::vector<std::string> exprs;
  std::vector<value> datasources;
  Walk(LoadDashboard(), &exprs, &datasources);
  ASSERT_FALSE(datasources.empty());
  for (const value& ds : datasources) {
    ASSERT_TRUE(ds.is_object()) << ds.serialize();
    std::string type = ds.at("type").as_string();
    std::string uid = ds.at("uid").as_string();
    if (type == "grafana") {
      EXPECT_EQ(uid, "-- Grafana --");  // the built-in annotations source
    } else {
      EXPECT_EQ(type, "prometheus");
      EXPECT_EQ(uid, "${datasource}") << "hard-coded data source uid";
    }
  }
}

TEST(DashboardTest, EveryQueriedMetricIsExported) {
  std::vector<std::string> exprs;
  std::vector<value> datasources;
  Walk(LoadDashboard(), &exprs, &datasources);
  EXPECT_GE(exprs.size(), 30u);
  std::set<std::string> used;
  for (const std::string& expr : exprs) {
    for (const std::string& problem : CheckExpression(expr)) ADD_FAILURE() << problem << " in: " << expr;
    for (const Selector& sel : Selectors(expr)) used.insert(sel.metric);
  }
  // The sections the issues ask for are there: machines and the machine
  // funnel, pools, overload of TFTP and HTTP, controller health.
  for (const char* needed :
       {"rackboot_machines", "rackboot_boot_stages_total", "rackboot_boot_stage_duration_seconds_bucket",
        "rackboot_dhcp_packets_total", "rackboot_tftp_transfers_total", "rackboot_http_requests_total",
        "rackboot_controller_bootd_connected", "rackboot_machines_boot_stage", "rackboot_machines_boot_loop",
        "rackboot_ip_pool_addresses", "rackboot_tftp_overload_requests_total", "rackboot_tftp_requests_queued",
        "rackboot_http_overload_total", "rackboot_controller_leader", "rackboot_artifact_cache_bytes"}) {
    EXPECT_TRUE(used.count(needed)) << needed;
  }
}

TEST(DashboardTest, PerRackPanelsFollowTheRackVariable) {
  std::vector<std::string> exprs;
  std::vector<value> datasources;
  Walk(LoadDashboard(), &exprs, &datasources);
  for (const std::string& expr : exprs) {
    // bootd metrics and the controller's per-rack ones carry a rack label.
    bool per_rack =
        expr.find("rackboot_dhcp_") != std::string::npos || expr.find("rackboot_tftp_") != std::string::npos ||
        expr.find("rackboot_http_") != std::string::npos || expr.find("rackboot_boot_") != std::string::npos;
    if (per_rack) {
      EXPECT_NE(expr.find("rack=~\"$rack\""), std::string::npos) << expr;
    }
  }
}

// Grafana's variables replaced by values Prometheus accepts.
std::string SubstituteVariables(std::string expr) {
  const std::pair<std::string, std::string> vars[] = {
      {"$__rate_interval", "5m"}, {"$__range", "6h"}, {"$rack", ".*"}, {"$stage", "booted"}};
  for (const auto& [var, value] : vars) {
    for (size_t at = expr.find(var); at != std::string::npos; at = expr.find(var, at + value.size())) {
      expr.replace(at, var.size(), value);
    }
  }
  return expr;
}

// Runs `promtool check rules` on every expression as a recording rule: the
// real PromQL parser. Returns promtool's exit code; output in *output.
int PromtoolCheckExpressions(const std::vector<std::string>& exprs, std::string* output) {
  char dir_template[] = "/tmp/rackboot-dashboard-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return -1;
  std::string path = std::string(dir) + "/rules.yml";
  {
    std::ofstream rules(path);
    rules << "groups:\n- name: dashboard\n  rules:\n";
    for (size_t i = 0; i < exprs.size(); ++i) {
      std::string quoted;  // YAML single-quoted: ' doubles
      for (char c : SubstituteVariables(exprs[i])) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      rules << "  - record: rackboot:dashboard:expr" << i << "\n    expr: '" << quoted << "'\n";
    }
  }
  FILE* pipe = popen(("promtool check rules " + path + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) output->append(buf.data(), n);
  int status = pclose(pipe);
  std::remove(path.c_str());
  rmdir(dir);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(DashboardTest, PromtoolCheckCanFail) {
  std::string output;
  EXPECT_NE(PromtoolCheckExpressions({"sum(rate(rackboot_machines[$__rate_interval])"}, &output), 0);
  EXPECT_NE(output.find("parse error"), std::string::npos) << output;
}

TEST(DashboardTest, EveryExpressionParses) {
  std::vector<std::string> exprs;
  std::vector<value> datasources;
  Walk(LoadDashboard(), &exprs, &datasources);
  // Panel queries only; variable definitions (label_values(...)) are
  // Grafana syntax, not PromQL.
  std::vector<std::string> promql;
  for (const std::string& e : exprs) {
    if (e.rfind("label_values(", 0) != 0) promql.push_back(e);
  }
  ASSERT_GE(promql.size(), 30u);
  std::string output;
  EXPECT_EQ(PromtoolCheckExpressions(promql, &output), 0) << output;
  EXPECT_NE(output.find("SUCCESS: " + std::to_string(promql.size()) + " rules found"), std::string::npos) << output;
}

}  // namespace
}  // namespace rackboot::metrics
