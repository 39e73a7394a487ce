#include "controller/model/machine.h"

namespace rackboot::model {
namespace {

std::map<std::string, std::string> ScalarMap(const Json* m) {
  std::map<std::string, std::string> out;
  if (!m || !m->is_object()) return out;
  for (const auto& [k, v] : m->as_object()) {
    if (v.is_string()) {
      out[k] = v.as_string();
    } else if (!v.is_null()) {
      out[k] = v.serialize();
    }
  }
  return out;
}

}  // namespace

std::optional<resolve::ProvisionRecord> ProvisionedFromStatus(const Json& status) {
  const Json* p = status.is_object() ? Field(status, "provisioned") : nullptr;
  if (!p || !p->is_object()) return std::nullopt;
  resolve::ProvisionRecord r;
  r.reprovision = StringAt(*p, "reprovision");
  r.generation = IntAt(*p, "generation");
  r.unix_millis = ParseTimeMicros(StringAt(*p, "time")) / 1000;
  return r;
}

Json ProvisionedToJson(const resolve::ProvisionRecord& r) {
  Json j = Json::object();
  j["reprovision"] = Json::string(r.reprovision);
  j["generation"] = Json::number(r.generation);
  if (r.unix_millis) j["time"] = Json::string(FormatMicroTime(r.unix_millis * 1000));
  return j;
}

Result<Machine> Machine::FromJson(const Json& object) {
  if (!object.is_object()) return Error{"Machine is not a JSON object"};
  Machine m;
  m.meta = ObjectMeta::FromJson(object);
  if (m.meta.name.empty()) return Error{"Machine without metadata.name"};
  m.raw = object;
  if (const Json* md = Field(object, "metadata")) {
    if (const Json* ann = Field(*md, "annotations"); ann && ann->is_object()) {
      m.reprovision = StringAt(*ann, resolve::kReprovisionAnnotation);
    }
    // The label controller/progress/discovered_machine.h sets at creation.
    if (const Json* labels = Field(*md, "labels"); labels && labels->is_object()) {
      m.discovered = StringAt(*labels, "rackboot.io/discovered") == "true";
    }
  }
  if (const Json* spec = Field(object, "spec")) {
    m.spec.rack = StringAt(*spec, "rack");
    if (const Json* ifs = Field(*spec, "interfaces"); ifs && ifs->is_array()) {
      for (const auto& i : ifs->as_array()) {
        if (!i.is_object()) continue;
        m.spec.interfaces.push_back(
            {StringAt(i, "mac"), StringAt(i, "ipv4"), BoolAt(i, "primary", false), StringAt(i, "name")});
      }
    }
    m.spec.uuid = StringAt(*spec, "uuid");
    m.spec.hostname = StringAt(*spec, "hostname");
    m.spec.architecture = StringAt(*spec, "architecture");
    m.spec.firmware = StringAt(*spec, "firmware");
    if (const Json* ref = Field(*spec, "bootProfileRef")) m.spec.boot_profile = StringAt(*ref, "name");
    if (const Json* nb = Field(*spec, "netboot")) {
      m.spec.allow_pxe = BoolAt(*nb, "allowPXE", true);
      m.spec.boot_once = BoolAt(*nb, "bootOnce", false);
    }
    m.spec.parameters = ScalarMap(Field(*spec, "parameters"));
    if (const Json* sp = Field(*spec, "secretParameters"); sp && sp->is_object()) {
      for (const auto& [k, v] : sp->as_object()) {
        if (auto ref = SecretKeyRefAt(*sp, k.c_str())) m.spec.secret_parameters[k] = *ref;
      }
    }
    m.spec.boot_file_overrides = ScalarMap(Field(*spec, "bootFileOverrides"));
  }
  if (const Json* st = Field(object, "status")) {
    m.status.observed_generation = IntAt(*st, "observedGeneration");
    m.status.conditions = ConditionsFromJson(*st);
    m.status.phase = StringAt(*st, "phase");
    m.status.ipv4 = StringAt(*st, "ipv4");
    m.status.provisioned = ProvisionedFromStatus(*st);
  }
  return m;
}

Json Machine::WithStatus(const MachineStatus& s) const {
  Json out = raw;
  Json status = Field(raw, "status") ? raw.at("status") : Json::object();
  if (!status.is_object()) status = Json::object();
  status["observedGeneration"] = Json::number(s.observed_generation);
  Json conds = Json::array();
  for (size_t i = 0; i < s.conditions.size(); ++i) conds[i] = s.conditions[i].ToJson();
  status["conditions"] = conds;
  if (s.phase.empty()) {
    if (status.has_field("phase")) status.erase("phase");
  } else {
    status["phase"] = Json::string(s.phase);
  }
  if (s.ipv4.empty()) {
    if (status.has_field("ipv4")) status.erase("ipv4");
  } else {
    status["ipv4"] = Json::string(s.ipv4);
  }
  out["status"] = status;
  return out;
}

bool operator==(const MachineStatus& a, const MachineStatus& b) {
  return a.observed_generation == b.observed_generation && a.conditions == b.conditions && a.phase == b.phase &&
         a.ipv4 == b.ipv4;
}

}  // namespace rackboot::model
