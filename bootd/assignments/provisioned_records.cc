#include "bootd/assignments/provisioned_records.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>

#include "bootd/leases/journal_files.h"
#include "common/yaml_config.h"

namespace rackboot::bootd {
namespace {

ProvisionedRecords::Map Parse(const std::string& path) {
  ProvisionedRecords::Map out;
  if (!FileExists(path)) return out;
  YamlMap root(LoadYamlFile(path), path, "");
  if (!root.Has("machines")) {
    root.RejectUnknownFields();
    return out;
  }
  const YAML::Node machines = root.node()["machines"];
  if (!machines.IsMap()) root.Fail("machines", "must be a mapping of machine name to record");
  for (const auto& kv : machines) {
    const std::string name = kv.first.as<std::string>();
    if (!kv.second.IsMap()) root.Fail("machines", "record of " + name + " must be a mapping");
    YamlMap r(kv.second, path, root.FieldPath("machines") + "." + name);
    resolve::ProvisionRecord rec;
    rec.reprovision = r.String("reprovision", "");
    rec.generation = r.Int("generation", 0, INT64_MAX, 0);
    rec.unix_millis = r.Int("unixMillis", 0, INT64_MAX, 0);
    r.RejectUnknownFields();
    out[name] = rec;
  }
  root.RejectUnknownFields();
  return out;
}

std::string Serialize(const ProvisionedRecords::Map& records) {
  YAML::Emitter out;
  out << YAML::Comment(
      "Written by bootd: machines that reported booted, and under which rackboot.io/reprovision value.");
  out << YAML::BeginMap << YAML::Key << "machines" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, r] : records) {
    out << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "reprovision" << YAML::Value << YAML::DoubleQuoted << r.reprovision;
    out << YAML::Key << "generation" << YAML::Value << r.generation;
    out << YAML::Key << "unixMillis" << YAML::Value << r.unix_millis;
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

ProvisionedRecords::ProvisionedRecords(std::string path) : path_(std::move(path)), records_(Parse(path_)) {}

ProvisionedRecords::Map ProvisionedRecords::Snapshot() const {
  std::lock_guard lock(mu_);
  return records_;
}

Result<bool> ProvisionedRecords::Record(const std::string& machine, const resolve::ProvisionRecord& record) {
  std::lock_guard lock(mu_);
  auto it = records_.find(machine);
  // Same request and generation: nothing new (the time of a repeated
  // callback is not worth a disk write).
  if (it != records_.end() && it->second.reprovision == record.reprovision &&
      it->second.generation == record.generation) {
    return false;
  }
  Map next = records_;
  next[machine] = record;
  if (Status s = WriteFileAtomically(path_, Serialize(next)); !s.ok()) return Error{s.message()};
  records_ = std::move(next);
  return true;
}

Result<bool> ProvisionedRecords::Forget(const std::vector<std::string>& machines) {
  std::lock_guard lock(mu_);
  Map next = records_;
  for (const std::string& m : machines) next.erase(m);
  if (next.size() == records_.size()) return false;
  if (Status s = WriteFileAtomically(path_, Serialize(next)); !s.ok()) return Error{s.message()};
  records_ = std::move(next);
  return true;
}

}  // namespace rackboot::bootd
