#include "controller/model/boot_profile.h"

#include <optional>

namespace rackboot::model {
namespace {

std::optional<std::string> OptionalStringAt(const Json& object, const char* key) {
  const Json* v = Field(object, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

resolve::ProfileArtifact ArtifactFromJson(const Json& a) {
  return {StringAt(a, "url"), StringAt(a, "path"), StringAt(a, "sha256")};
}

const web::json::array* ArrayAt(const Json& object, const char* key) {
  const Json* v = Field(object, key);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

void ReadMenu(const Json& menu, resolve::BootProfileSpec* p) {
  if (const auto* entries = ArrayAt(menu, "entries")) {
    for (const Json& e : *entries) {
      if (!e.is_object()) continue;
      p->menu.push_back(
          {StringAt(e, "name"), StringAt(e, "label"), StringAt(e, "action", "boot"), OptionalStringAt(e, "cmdline")});
    }
  }
  p->menu_default = StringAt(menu, "default");
  p->menu_timeout_seconds = static_cast<int>(IntAt(menu, "timeoutSeconds", p->menu_timeout_seconds));
}

void ReadInstall(const Json& install, resolve::InstallSpec* out) {
  if (const Json* ci = Field(install, "cloudInit"); ci != nullptr && ci->is_object()) {
    resolve::CloudInitConfig c;
    c.user_data = StringAt(*ci, "userData");
    c.meta_data = OptionalStringAt(*ci, "metaData");
    c.vendor_data = OptionalStringAt(*ci, "vendorData");
    c.network_config = OptionalStringAt(*ci, "networkConfig");
    c.user_data_secret = SecretKeyRefAt(*ci, "userDataSecretRef");
    c.meta_data_secret = SecretKeyRefAt(*ci, "metaDataSecretRef");
    c.vendor_data_secret = SecretKeyRefAt(*ci, "vendorDataSecretRef");
    c.network_config_secret = SecretKeyRefAt(*ci, "networkConfigSecretRef");
    out->cloud_init = std::move(c);
  }
  out->kickstart = OptionalStringAt(install, "kickstart");
  out->preseed = OptionalStringAt(install, "preseed");
  out->kickstart_secret = SecretKeyRefAt(install, "kickstartSecretRef");
  out->preseed_secret = SecretKeyRefAt(install, "preseedSecretRef");
}

resolve::BootProfileSpec SpecFromJson(const Json& spec) {
  resolve::BootProfileSpec p;
  if (const Json* k = Field(spec, "kernel")) p.kernel = ArtifactFromJson(*k);
  if (const auto* initrds = ArrayAt(spec, "initrds")) {
    for (const Json& i : *initrds) p.initrds.push_back(ArtifactFromJson(i));
  }
  p.cmdline = StringAt(spec, "cmdline");
  if (const Json* t = Field(spec, "templates")) {
    p.ipxe_template = StringAt(*t, "ipxe");
    p.grub_template = StringAt(*t, "grub");
    p.pxelinux_template = StringAt(*t, "pxelinux");
  }
  if (const Json* menu = Field(spec, "menu")) ReadMenu(*menu, &p);
  if (const Json* install = Field(spec, "install")) ReadInstall(*install, &p.install);
  if (const auto* params = ArrayAt(spec, "parameters")) {
    for (const Json& pm : *params) {
      p.parameters.push_back({StringAt(pm, "name"), OptionalStringAt(pm, "default"), BoolAt(pm, "required", false),
                              StringAt(pm, "description")});
    }
  }
  return p;
}

}  // namespace

Result<BootProfile> BootProfile::FromJson(const Json& object) {
  if (!object.is_object()) return Error{"BootProfile is not a JSON object"};
  BootProfile p;
  p.meta = ObjectMeta::FromJson(object);
  if (p.meta.name.empty()) return Error{"BootProfile without metadata.name"};
  if (const Json* spec = Field(object, "spec"); spec != nullptr && spec->is_object()) p.spec = SpecFromJson(*spec);
  if (const Json* st = Field(object, "status"); st != nullptr && st->is_object()) {
    p.status.observed_generation = IntAt(*st, "observedGeneration");
    p.status.machines = IntAt(*st, "machines");
    if (const auto* names = ArrayAt(*st, "machineNames")) {
      for (const Json& n : *names) {
        if (n.is_string()) p.status.machine_names.push_back(n.as_string());
      }
    }
    p.status.conditions = ConditionsFromJson(*st);
  }
  p.raw = object;
  return p;
}

Json BootProfile::WithStatus(const BootProfileStatus& s) const {
  Json out = raw;
  Json status = Json::object();
  status["observedGeneration"] = Json::number(s.observed_generation);
  status["machines"] = Json::number(s.machines);
  Json names = Json::array();
  for (size_t i = 0; i < s.machine_names.size(); ++i) names[i] = Json::string(s.machine_names[i]);
  status["machineNames"] = names;
  Json conds = Json::array();
  for (size_t i = 0; i < s.conditions.size(); ++i) conds[i] = s.conditions[i].ToJson();
  status["conditions"] = conds;
  out["status"] = status;
  return out;
}

}  // namespace rackboot::model
