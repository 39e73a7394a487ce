#include "controller/reconcile/boot_profile_decision.h"

#include <algorithm>

#include "resolve/host_assignment_resolver.h"
#include "resolve/profile_templates.h"

namespace rackboot::controller {
namespace {

using model::Condition;

// Messages list a few problems, then how many more (a status stays small
// even for a profile used by a whole data centre).
constexpr size_t kMaxListedProblems = 3;

std::string Summarize(const std::vector<std::string>& problems) {
  std::string out;
  for (size_t i = 0; i < problems.size() && i < kMaxListedProblems; ++i) out += (i ? "; " : "") + problems[i];
  if (problems.size() > kMaxListedProblems) {
    out += "; and " + std::to_string(problems.size() - kMaxListedProblems) + " more";
  }
  return out;
}

Condition Make(const char* type, bool ok, std::string reason, std::string message, int64_t gen) {
  return Condition{type, ok ? "True" : "False", std::move(reason), std::move(message), gen, ""};
}

Condition TemplatesCondition(const model::BootProfile& p, int64_t gen) {
  std::vector<std::string> problems;
  for (auto& t : resolve::ProfileTemplateProblems(p.meta.name, p.spec)) problems.push_back(std::move(t.message));
  if (problems.empty()) {
    return Make(kConditionTemplatesValid, true, "Valid", "every template uses only variables bootd provides", gen);
  }
  return Make(kConditionTemplatesValid, false, "UnknownVariable", Summarize(problems), gen);
}

Condition ArtifactsCondition(const model::BootProfile& p, int64_t gen) {
  std::vector<std::string> problems;
  auto check = [&](const resolve::ProfileArtifact& a, const std::string& field) {
    if (a.url.rfind("https://", 0) == 0 && a.sha256.empty()) {
      problems.push_back(field +
                         " is https without a sha256: iPXE cannot fetch https, and bootd's artifact cache "
                         "serves an upstream over http only by its sha256");
    }
  };
  check(p.spec.kernel, "spec.kernel.url");
  for (size_t i = 0; i < p.spec.initrds.size(); ++i)
    check(p.spec.initrds[i], "spec.initrds[" + std::to_string(i) + "].url");
  if (!problems.empty()) return Make(kConditionArtifactsValid, false, "HttpsWithoutSha256", Summarize(problems), gen);
  return Make(kConditionArtifactsValid, true, "NotFetched",
              "the controller does not fetch URLs, and path artifacts live on each bootd (a missing one fails "
              "that machine's fetch, logged by bootd)",
              gen);
}

Condition ParametersCondition(const model::BootProfile& p, const std::vector<const model::Machine*>& users, int64_t gen,
                              const SecretsOfMachine& secrets) {
  std::vector<std::string> missing_required, other;
  for (const model::Machine* m : users) {
    const std::string who = "Machine " + m->meta.Key();
    bool required_ok = true;
    for (const resolve::ProfileParameter& param : p.spec.parameters) {
      if (param.required && !m->spec.parameters.count(param.name) && !m->spec.secret_parameters.count(param.name)) {
        missing_required.push_back(who + " does not set required parameter '" + param.name + "'");
        required_ok = false;
        break;
      }
    }
    if (!required_ok) continue;
    // What the Machine itself would get: the one resolver's verdict.
    auto resolved = resolve::ResolveHostAssignment(m->Identity(), m->spec, &p.spec, {},
                                                   secrets ? secrets(*m) : resolve::SecretData{});
    if (!resolved.ok()) other.push_back(who + ": " + resolved.error().message);
  }
  if (!missing_required.empty()) {
    missing_required.insert(missing_required.end(), other.begin(), other.end());
    return Make(kConditionParametersSatisfied, false, "RequiredParameterMissing", Summarize(missing_required), gen);
  }
  if (!other.empty()) return Make(kConditionParametersSatisfied, false, "MachineUnresolvable", Summarize(other), gen);
  return Make(kConditionParametersSatisfied, true, "Satisfied",
              std::to_string(users.size()) + " Machine(s) resolve with this profile", gen);
}

}  // namespace

BootProfileDecision DecideBootProfile(const model::BootProfile& p, const std::vector<model::Machine>& users,
                                      const std::string& now, const SecretsOfMachine& secrets) {
  const int64_t gen = p.meta.generation;
  std::vector<const model::Machine*> sorted;
  for (const model::Machine& m : users) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const model::Machine* a, const model::Machine* b) { return a->meta.Key() < b->meta.Key(); });

  BootProfileDecision d;
  d.status = p.status;
  d.status.observed_generation = gen;
  d.status.machines = static_cast<int64_t>(sorted.size());
  d.status.machine_names.clear();
  for (size_t i = 0; i < sorted.size() && i < kMaxListedMachines; ++i) {
    d.status.machine_names.push_back(sorted[i]->meta.name);
  }
  const Condition checks[] = {TemplatesCondition(p, gen), ArtifactsCondition(p, gen),
                              ParametersCondition(p, sorted, gen, secrets)};
  Condition ready = Make(kConditionReady, true, "Ready", "templates, artifacts and parameters check out", gen);
  for (const Condition& c : checks) {
    model::SetCondition(&d.status.conditions, c, now);
    if (c.status != "True" && ready.status == "True") ready = Make(kConditionReady, false, c.reason, c.message, gen);
  }
  model::SetCondition(&d.status.conditions, ready, now);
  d.status_changed = !(d.status == p.status);
  return d;
}

}  // namespace rackboot::controller
