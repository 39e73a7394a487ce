#include "controller/progress/boot_state.h"

namespace rackboot::controller::progress {
namespace {

using model::Json;

std::string TimeText(int64_t unix_millis) {
  return model::FormatMicroTime(unix_millis * 1000);
}
int64_t Millis(const Json& o, const char* key) {
  return model::ParseTimeMicros(model::StringAt(o, key)) / 1000;
}

void SetOrErase(Json* o, const char* key, const std::string& v) {
  if (v.empty()) {
    if (o->has_field(key)) o->erase(key);
  } else {
    (*o)[key] = Json::string(v);
  }
}

Json StageToJson(const StageRecord& s) {
  Json j = Json::object();
  j["stage"] = Json::string(s.stage);
  j["time"] = Json::string(TimeText(s.unix_millis));
  if (s.bytes) j["bytes"] = Json::number(static_cast<int64_t>(s.bytes));
  if (s.duration_millis) j["durationMillis"] = Json::number(static_cast<int64_t>(s.duration_millis));
  // The schema caps detail at 1024 characters.
  if (!s.detail.empty()) j["detail"] = Json::string(s.detail.substr(0, 1024));
  return j;
}

Json DetectedToJson(const DetectedClient& d) {
  Json j = Json::object();
  SetOrErase(&j, "architecture", d.architecture);
  SetOrErase(&j, "firmware", d.firmware);
  SetOrErase(&j, "uuid", d.uuid);
  if (d.client_arch >= 0) j["clientArch"] = Json::number(d.client_arch);
  SetOrErase(&j, "vendorClass", d.vendor_class.substr(0, 255));
  SetOrErase(&j, "userClass", d.user_class.substr(0, 255));
  SetOrErase(&j, "parameterRequestList", d.parameter_request_list.substr(0, 1024));
  SetOrErase(&j, "relayAddress", d.relay_address);
  SetOrErase(&j, "mac", d.mac);
  if (d.unix_millis) j["time"] = Json::string(TimeText(d.unix_millis));
  return j;
}

DetectedClient DetectedFromJson(const Json& j) {
  DetectedClient d;
  d.architecture = model::StringAt(j, "architecture");
  d.firmware = model::StringAt(j, "firmware");
  d.uuid = model::StringAt(j, "uuid");
  d.client_arch = model::IntAt(j, "clientArch", -1);
  d.vendor_class = model::StringAt(j, "vendorClass");
  d.user_class = model::StringAt(j, "userClass");
  d.parameter_request_list = model::StringAt(j, "parameterRequestList");
  d.relay_address = model::StringAt(j, "relayAddress");
  d.mac = model::StringAt(j, "mac");
  d.unix_millis = Millis(j, "time");
  return d;
}

}  // namespace

const StageRecord* BootProgress::Find(const std::string& stage) const {
  for (const auto& s : stages) {
    if (s.stage == stage) return &s;
  }
  return nullptr;
}

MachineBootState BootStateFromStatus(const Json& status) {
  MachineBootState st;
  if (!status.is_object()) return st;
  st.phase = model::StringAt(status, "phase");
  st.conditions = model::ConditionsFromJson(status);
  if (const Json* bp = model::Field(status, "bootProgress"); bp && bp->is_object()) {
    st.progress.boot_count = model::IntAt(*bp, "bootCount");
    st.progress.restarts = model::IntAt(*bp, "restarts");
    st.progress.last_stage = model::StringAt(*bp, "lastStage");
    st.progress.last_stage_millis = Millis(*bp, "lastStageTime");
    if (const Json* stages = model::Field(*bp, "stages"); stages && stages->is_array()) {
      for (const auto& s : stages->as_array()) {
        if (!s.is_object()) continue;
        st.progress.stages.push_back(
            {model::StringAt(s, "stage"), Millis(s, "time"), static_cast<uint64_t>(model::IntAt(s, "bytes")),
             static_cast<uint64_t>(model::IntAt(s, "durationMillis")), model::StringAt(s, "detail")});
      }
    }
  }
  if (const Json* e = model::Field(status, "lastError"); e && e->is_object()) {
    st.last_error = LastError{Millis(*e, "time"), model::StringAt(*e, "stage"), model::StringAt(*e, "message")};
  }
  if (const Json* d = model::Field(status, "detected"); d && d->is_object()) st.detected = DetectedFromJson(*d);
  st.provisioned = model::ProvisionedFromStatus(status);
  return st;
}

void ApplyBootState(const MachineBootState& st, Json* status) {
  if (!status->is_object()) *status = Json::object();
  SetOrErase(status, "phase", st.phase);
  Json conds = Json::array();
  for (size_t i = 0; i < st.conditions.size(); ++i) conds[i] = st.conditions[i].ToJson();
  (*status)["conditions"] = conds;

  const BootProgress& p = st.progress;
  if (p.boot_count || p.restarts || !p.last_stage.empty() || !p.stages.empty()) {
    Json bp = Json::object();
    bp["bootCount"] = Json::number(p.boot_count);
    bp["restarts"] = Json::number(p.restarts);
    SetOrErase(&bp, "lastStage", p.last_stage);
    if (p.last_stage_millis) bp["lastStageTime"] = Json::string(TimeText(p.last_stage_millis));
    Json stages = Json::array();
    for (size_t i = 0; i < p.stages.size(); ++i) stages[i] = StageToJson(p.stages[i]);
    bp["stages"] = stages;
    (*status)["bootProgress"] = bp;
  } else if (status->has_field("bootProgress")) {
    status->erase("bootProgress");
  }
  if (st.last_error) {
    Json e = Json::object();
    if (st.last_error->unix_millis) e["time"] = Json::string(TimeText(st.last_error->unix_millis));
    SetOrErase(&e, "stage", st.last_error->stage);
    e["message"] = Json::string(st.last_error->message.substr(0, 4096));
    (*status)["lastError"] = e;
  } else if (status->has_field("lastError")) {
    status->erase("lastError");
  }
  if (st.detected) {
    (*status)["detected"] = DetectedToJson(*st.detected);
  } else if (status->has_field("detected")) {
    status->erase("detected");
  }
  if (st.provisioned) {
    (*status)["provisioned"] = model::ProvisionedToJson(*st.provisioned);
  } else if (status->has_field("provisioned")) {
    status->erase("provisioned");
  }
}

}  // namespace rackboot::controller::progress
