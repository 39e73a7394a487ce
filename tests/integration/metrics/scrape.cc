#include "tests/integration/metrics/scrape.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rackboot::testing::metrics {

namespace {

// Parses `{a="x",b="y"}` starting at text[at] == '{'; returns the index
// after '}' (npos on malformed input).
size_t ParseLabels(const std::string& line, size_t at, std::map<std::string, std::string>* labels) {
  ++at;
  while (at < line.size() && line[at] != '}') {
    const size_t eq = line.find('=', at);
    if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return std::string::npos;
    std::string key = line.substr(at, eq - at);
    std::string value;
    size_t i = eq + 2;
    for (; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) ++i;
      value += line[i];
    }
    if (i >= line.size()) return std::string::npos;
    (*labels)[key] = value;
    at = i + 1;
    if (at < line.size() && line[at] == ',') ++at;
  }
  return at < line.size() ? at + 1 : std::string::npos;
}

}  // namespace

std::vector<Sample> ParseScrape(const std::string& text) {
  std::vector<Sample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    size_t end = line.find_first_of("{ ");
    if (end == std::string::npos) continue;
    s.name = line.substr(0, end);
    if (line[end] == '{') {
      end = ParseLabels(line, end, &s.labels);
      if (end == std::string::npos) continue;
    }
    s.value = std::strtod(line.c_str() + end, nullptr);
    out.push_back(std::move(s));
  }
  return out;
}

double SumOf(const std::vector<Sample>& samples, const std::string& name,
             const std::map<std::string, std::string>& match) {
  double sum = 0;
  bool any = false;
  for (const Sample& s : samples) {
    if (s.name != name) continue;
    bool ok = true;
    for (const auto& [k, v] : match) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) ok = false;
    }
    if (!ok) continue;
    any = true;
    sum += s.value;
  }
  return any ? sum : -1;
}

std::set<std::string> SampleNames(const std::vector<Sample>& samples) {
  std::set<std::string> names;
  for (const Sample& s : samples) names.insert(s.name);
  return names;
}

int PromtoolCheckMetrics(const std::string& text, std::string* output) {
  char path[] = "/tmp/rackboot-scrape-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return -1;
  ::close(fd);
  std::ofstream(path) << text;
  const std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  output->clear();
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  const int status = p ? pclose(p) : -1;
  std::remove(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::set<std::string> DashboardMetricNames(const std::string& dashboard_json_path) {
  std::ifstream in(dashboard_json_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string json = ss.str();
  // Only inside "expr" strings: titles and descriptions may mention names.
  // (Plain scanning: GCC 12's <regex> trips -Werror=maybe-uninitialized.)
  std::set<std::string> names;
  const std::string key = "\"expr\"";
  for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
    size_t open = json.find('"', json.find(':', at + key.size()));
    if (open == std::string::npos) break;
    std::string expr;
    size_t i = open + 1;
    for (; i < json.size() && json[i] != '"'; ++i) {
      if (json[i] == '\\' && i + 1 < json.size()) ++i;
      expr += json[i];
    }
    for (size_t m = expr.find("rackboot_"); m != std::string::npos; m = expr.find("rackboot_", m + 1)) {
      if (m > 0 && (std::isalnum(static_cast<unsigned char>(expr[m - 1])) || expr[m - 1] == '_')) continue;
      size_t end = m;
      while (end < expr.size() && (std::islower(static_cast<unsigned char>(expr[end])) ||
                                   std::isdigit(static_cast<unsigned char>(expr[end])) || expr[end] == '_')) {
        ++end;
      }
      names.insert(expr.substr(m, end - m));
      m = end - 1;
    }
  }
  return names;
}

std::set<std::string> FamilyNames(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  const std::string type = "# TYPE ";
  while (std::getline(in, line)) {
    if (line.rfind(type, 0) != 0) continue;
    const size_t end = line.find(' ', type.size());
    names.insert(line.substr(type.size(), end == std::string::npos ? std::string::npos : end - type.size()));
  }
  return names;
}

std::set<std::string> DocumentedMetrics(const std::string& markdown_path, const std::string& heading) {
  std::ifstream in(markdown_path);
  std::set<std::string> names;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inside = line.rfind("## " + heading, 0) == 0;
    if (!inside || line.rfind("| `", 0) != 0) continue;
    const size_t end = line.find('`', 3);
    if (end != std::string::npos) names.insert(line.substr(3, end - 3));
  }
  return names;
}

}  // namespace rackboot::testing::metrics
