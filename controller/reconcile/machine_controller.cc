#include "controller/reconcile/machine_controller.h"

#include <chrono>

#include "common/log.h"
#include "controller/k8s/backoff.h"
#include "controller/k8s/event_sink.h"
#include "controller/model/event.h"
#include "controller/model/secret.h"
#include "resolve/secret_data.h"

namespace rackboot::controller {
namespace {

using web::json::value;

// Conflicts are normal when users edit a Machine while we write its status.
constexpr int kMaxConflictRetries = 5;

// Index functions run for every watch event (and twice on an update), so
// they read the few fields they need instead of Machine::FromJson, which
// copies the whole object.
const value* MachineSpec(const value& o) {
  return o.is_object() ? model::Field(o, "spec") : nullptr;
}

std::vector<std::string> MachineMacs(const value& o) {
  std::vector<std::string> out;
  const value* spec = MachineSpec(o);
  const value* ifs = spec ? model::Field(*spec, "interfaces") : nullptr;
  if (!ifs || !ifs->is_array()) return out;
  for (const auto& i : ifs->as_array()) {
    if (!i.is_object()) continue;
    const std::string text = model::StringAt(i, "mac");
    auto mac = MacAddress::Parse(text);
    out.push_back(mac ? mac->ToString() : text);
  }
  return out;
}

std::vector<std::string> MachineRack(const value& o) {
  const value* spec = MachineSpec(o);
  std::string rack = spec ? model::StringAt(*spec, "rack") : "";
  if (rack.empty()) return {};
  return {std::move(rack)};
}

std::vector<std::string> MachineProfile(const value& o) {
  const value* spec = MachineSpec(o);
  const value* ref = spec ? model::Field(*spec, "bootProfileRef") : nullptr;
  std::string profile = ref ? model::StringAt(*ref, "name") : "";
  if (profile.empty()) return {};
  return {k8s::ObjectNamespace(o) + "/" + profile};
}

// "ns/secret" for every Secret a Machine's spec.secretParameters names.
std::vector<std::string> MachineSecrets(const value& o) {
  std::vector<std::string> out;
  const value* spec = MachineSpec(o);
  const value* params = spec ? model::Field(*spec, "secretParameters") : nullptr;
  if (!params || !params->is_object()) return out;
  for (const auto& [unused, ref] : params->as_object()) {
    const std::string name = ref.is_object() ? model::StringAt(ref, "name") : "";
    if (!name.empty()) out.push_back(k8s::ObjectNamespace(o) + "/" + name);
  }
  return out;
}

// "ns/secret" for every Secret a BootProfile's install configs name.
std::vector<std::string> ProfileSecrets(const value& o) {
  std::vector<std::string> out;
  auto p = model::BootProfile::FromJson(o);
  if (!p.ok()) return out;
  for (const auto& name : resolve::ReferencedSecrets({}, &p->spec)) out.push_back(p->meta.namespace_ + "/" + name);
  return out;
}

const k8s::ResourceKind& SecretKind() {
  static const k8s::ResourceKind k{"", "v1", "secrets", true};
  return k;
}

}  // namespace

const k8s::ResourceKind& MachineKind() {
  static const k8s::ResourceKind k{"rackboot.io", "v1alpha1", "machines", true};
  return k;
}
const k8s::ResourceKind& BootProfileKind() {
  static const k8s::ResourceKind k{"rackboot.io", "v1alpha1", "bootprofiles", true};
  return k;
}
const k8s::ResourceKind& EventKind() {
  static const k8s::ResourceKind k{"", "v1", "events", true};
  return k;
}

MachineController::MachineController(std::shared_ptr<k8s::ApiClient> client, MachineControllerOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      ips_(options_.racks),
      events_(std::make_unique<k8s::EventSink>(client_, EventKind())) {
  queue_.SetObserver(options_.queue_observer);
  k8s::InformerHandlers machine_handlers;
  machine_handlers.on_change = [this](const value* old_o, const value* new_o) {
    queue_.Add(k8s::ObjectKey(new_o ? *new_o : *old_o));
    // Machines sharing a MAC with this one may win or lose it now.
    for (const value* o : {old_o, new_o}) {
      if (!o) continue;
      for (const auto& mac : MachineMacs(*o)) {
        for (const auto& key : machines_->store().KeysByIndex(kIndexByMac, mac)) queue_.Add(key);
      }
      if (on_profile_change_) {
        for (const auto& profile : MachineProfile(*o)) on_profile_change_(profile);
      }
    }
  };
  machines_ = std::make_unique<k8s::Informer>(client_, MachineKind(), options_.namespace_, machine_handlers);
  machines_->store().AddIndex(kIndexByMac, MachineMacs);
  machines_->store().AddIndex(kIndexByRack, MachineRack);
  machines_->store().AddIndex(kIndexByProfile, MachineProfile);

  k8s::InformerHandlers profile_handlers;
  profile_handlers.on_change = [this](const value* old_o, const value* new_o) {
    const value& o = new_o ? *new_o : *old_o;
    const std::string index_value = k8s::ObjectNamespace(o) + "/" + k8s::ObjectName(o);
    if (on_profile_change_) on_profile_change_(index_value);
    // A status-only change (the BootProfile status writer's own) leaves the
    // generation alone and cannot change what any Machine resolves to.
    if (old_o && new_o &&
        model::ObjectMeta::FromJson(*old_o).generation == model::ObjectMeta::FromJson(*new_o).generation) {
      return;
    }
    for (const auto& key : machines_->store().KeysByIndex(kIndexByProfile, index_value)) queue_.Add(key);
  };
  profiles_ = std::make_unique<k8s::Informer>(client_, BootProfileKind(), options_.namespace_, profile_handlers);
  profiles_->store().AddIndex(kIndexBySecret, ProfileSecrets);
  machines_->store().AddIndex(kIndexBySecret, MachineSecrets);

  // A Secret change re-queues the Machines using it, directly or through
  // their profile; reconcile re-resolves and re-publishes (a new value
  // reaches bootd like any other change). The handler sees only keys.
  k8s::InformerHandlers secret_handlers;
  secret_handlers.on_change = [this](const value* old_o, const value* new_o) {
    const value& o = new_o ? *new_o : *old_o;
    const std::string secret = k8s::ObjectNamespace(o) + "/" + k8s::ObjectName(o);
    for (const auto& key : machines_->store().KeysByIndex(kIndexBySecret, secret)) queue_.Add(key);
    for (const auto& profile : profiles_->store().KeysByIndex(kIndexBySecret, secret)) {
      for (const auto& key : machines_->store().KeysByIndex(kIndexByProfile, profile)) queue_.Add(key);
    }
  };
  for (const auto& ns : options_.secret_namespaces) {
    auto informer = std::make_unique<k8s::Informer>(client_, SecretKind(), ns, secret_handlers);
    informer->SetLabelSelector(std::string(resolve::kSecretLabel) + "=true");
    secrets_[ns] = std::move(informer);
  }
}

bool MachineController::SecretsSynced() const {
  for (const auto& [ns, informer] : secrets_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

resolve::SecretData MachineController::CachedSecrets(const model::Machine& m, const model::BootProfile* profile) const {
  resolve::SecretData out;
  auto informer = secrets_.find(m.meta.namespace_);
  if (informer == secrets_.end()) return out;  // not a secretNamespace: every reference fails, naming the field
  for (const auto& name : resolve::ReferencedSecrets(m.spec, profile ? &profile->spec : nullptr)) {
    if (auto object = informer->second->store().Get(m.meta.namespace_ + "/" + name)) {
      out[name] = model::SecretValuesFromJson(*object);
    }
  }
  return out;
}

MachineController::~MachineController() {
  Stop();
}

void MachineController::Start() {
  machines_->Start();
  profiles_->Start();
  for (auto& [ns, informer] : secrets_) informer->Start();
}

void MachineController::Stop() {
  stopping_ = true;
  machines_->Stop();  // also wakes LeadingSetUp waiting for a sync
  profiles_->Stop();
  for (auto& [ns, informer] : secrets_) informer->Stop();
  if (leading_thread_.joinable()) leading_thread_.join();
  queue_.ShutDown();
  workers_.clear();  // joins
  events_->Stop();   // sends what the workers queued
}

Status MachineController::RebuildAllocations() {
  // A fresh (quorum) list, not the cache: the cache may lag writes the
  // previous leader made just before it died.
  auto list = client_->List(MachineKind(), options_.namespace_);
  if (!list.ok()) return list.error();
  std::lock_guard lock(alloc_mu_);
  ips_.Clear();
  size_t claimed = 0;
  for (const auto& o : list->items) {
    auto m = model::Machine::FromJson(o);
    if (!m.ok() || m->status.ipv4.empty()) continue;
    auto ip = Ipv4Address::Parse(m->status.ipv4);
    if (!ip) continue;
    if (ips_.Claim(*ip, m->meta.Key())) {
      ++claimed;
    } else {
      log::Error("controller", "two Machines record the same address",
                 {{"ip", ip->ToString()}, {"machine", m->meta.Key()}, {"owner", *ips_.Owner(*ip)}});
    }
  }
  log::Info("controller", "rebuilt IP allocations", {{"machines", list->items.size()}, {"claimed", claimed}});
  return Status::Ok();
}

void MachineController::StartLeading(int64_t epoch) {
  epoch_ = epoch;
  if (stopping_ || leading_thread_.joinable()) return;
  leading_thread_ = std::jthread([this] { LeadingSetUp(); });
}

void MachineController::LeadingSetUp() {
  if (!machines_->WaitForSync() || !profiles_->WaitForSync()) return;
  for (auto& [ns, informer] : secrets_) {
    if (!informer->WaitForSync()) return;
  }
  k8s::Backoff backoff;
  for (;;) {
    if (stopping_) return;
    Status s = RebuildAllocations();
    if (s.ok()) break;
    log::Warn("controller", "rebuild of IP allocations failed", {{"error", s.message()}});
    auto until = std::chrono::steady_clock::now() + backoff.Next();
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  if (stopping_) return;
  SeedAssignments();
  if (on_ready_) on_ready_(epoch_.load());
  for (const auto& key : machines_->store().Keys()) queue_.Add(key);
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Worker(); });
  leading_ready_ = true;
  log::Info("controller", "leading: reconciling", {{"epoch", epoch_.load()}, {"machines", machines_->store().Size()}});
}

void MachineController::Worker() {
  while (auto key = queue_.Get()) {
    const auto started = std::chrono::steady_clock::now();
    Status s = Reconcile(*key);
    if (options_.observer) {
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      options_.observer->OnReconcile("machine", s.ok(), took.count());
    }
    if (s.ok()) {
      queue_.Forget(*key);
    } else {
      log::Warn("controller", "reconcile failed, will retry",
                {{"machine", *key}, {"error", s.message()}, {"retries", queue_.NumRequeues(*key)}});
      queue_.AddRateLimited(*key);
    }
    queue_.Done(*key);
  }
}

void MachineController::Publish(const std::string& key, std::optional<ResolvedAssignment> a) {
  std::lock_guard lock(assignments_mu_);
  auto old = assignments_.find(key);
  if (old != assignments_.end() && (!a || old->second.rack != a->rack)) {
    if (publisher_) publisher_->Remove(old->second.rack, key);
    assignments_.erase(old);
  }
  if (!a) return;
  a->epoch = epoch_.load();
  if (publisher_) publisher_->Upsert(a->rack, a->host);
  assignments_[key] = std::move(*a);
}

// A new leader's publisher starts empty. bootd must not get a snapshot
// before it holds every Machine whose address is already durable
// (status.ipv4), or bootd would drop hosts it serves from the previous
// leader. So the racks are published whole from the cache before any worker
// runs; Machines that still need an address arrive through reconcile.
void MachineController::SeedAssignments() {
  std::map<std::string, std::map<std::string, v1alpha1::HostAssignment>> by_rack;
  for (const RackNetwork& r : options_.racks) by_rack[r.name];  // a rack without machines is empty, not unknown
  const std::string now = model::FormatTime(model::NowMicros() / 1000000);
  for (const auto& key : machines_->store().Keys()) {
    auto object = machines_->store().Get(key);
    if (!object) continue;
    auto m = model::Machine::FromJson(*object);
    if (!m.ok() || !m->meta.deletion_timestamp.empty()) continue;
    const auto profile = CachedProfile(*m);
    const resolve::SecretData secrets = CachedSecrets(*m, profile ? &*profile : nullptr);
    MachineDecision d;
    {
      std::lock_guard lock(alloc_mu_);
      d = DecideMachine(*m, profile ? &*profile : nullptr, ips_, now, OlderMachinesSharingAMac(*m), secrets);
    }
    // An address that is not durable yet is left to reconcile; a machine of
    // a rack without a pool (site DHCP) has none to wait for.
    if (!d.assignment || (d.claim && d.claim->ToString() != m->status.ipv4)) continue;
    by_rack[d.assignment->rack][key] = d.assignment->host;
    std::lock_guard lock(assignments_mu_);
    d.assignment->epoch = epoch_.load();
    assignments_[key] = std::move(*d.assignment);
  }
  if (!publisher_) return;
  for (auto& [rack, hosts] : by_rack) publisher_->SetRack(rack, std::move(hosts));
}

std::optional<model::BootProfile> MachineController::CachedProfile(const model::Machine& m) const {
  if (m.spec.boot_profile.empty()) return std::nullopt;
  auto p = profiles_->store().Get(m.meta.namespace_.empty() ? m.spec.boot_profile
                                                            : m.meta.namespace_ + "/" + m.spec.boot_profile);
  if (!p) return std::nullopt;
  auto parsed = model::BootProfile::FromJson(*p);
  if (!parsed.ok()) return std::nullopt;
  return std::move(parsed.value());
}

namespace {

// A merge patch (RFC 7386) replaces a list whole, so it carries the
// object's resourceVersion: if another writer changed the finalizers
// meanwhile, the patch fails with 409 instead of dropping theirs.
value FinalizersPatch(const value& object, bool ours) {
  value list = value::array();
  const value& md = object.at("metadata");
  if (md.has_field("finalizers") && md.at("finalizers").is_array()) {
    for (const auto& f : md.at("finalizers").as_array()) {
      if (!(f.is_string() && f.as_string() == kIpFinalizer)) list[list.size()] = f;
    }
  }
  if (ours) list[list.size()] = value::string(kIpFinalizer);
  value patch_md = value::object();
  patch_md["resourceVersion"] = value::string(k8s::ObjectResourceVersion(object));
  patch_md["finalizers"] = std::move(list);
  value patch = value::object();
  patch["metadata"] = std::move(patch_md);
  return patch;
}

}  // namespace

Result<value> MachineController::Reread(const model::ObjectMeta& meta) {
  ++conflicts_;
  auto fresh = client_->Get(MachineKind(), meta.namespace_, meta.name);
  if (!fresh.ok()) return fresh.error();
  if (fresh->code == 404) return value::null();
  if (!fresh->ok()) return Error{"re-read after conflict: " + fresh->Message()};
  k8s::StripManagedFields(&fresh->body);
  return std::move(fresh->body);
}

Result<value> MachineController::EnsureFinalizer(value object) {
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    auto meta = model::ObjectMeta::FromJson(object);
    if (meta.HasFinalizer(kIpFinalizer)) return object;
    auto r = client_->MergePatch(MachineKind(), meta.namespace_, meta.name, FinalizersPatch(object, true));
    if (!r.ok()) return r.error();
    if (r->ok()) {
      k8s::StripManagedFields(&r->body);
      return std::move(r->body);
    }
    if (r->code != 409) return Error{"add finalizer: " + r->Message()};
    auto fresh = Reread(meta);
    if (!fresh.ok()) return fresh.error();
    if (fresh->is_null()) return Error{"add finalizer: Machine is gone"};
    object = std::move(*fresh);
  }
  return Error{"add finalizer: too many conflicts"};
}

Status MachineController::Finalize(const model::Machine& m) {
  {
    std::lock_guard lock(alloc_mu_);
    ips_.Release(m.meta.Key());
  }
  Publish(m.meta.Key(), std::nullopt);
  if (!m.meta.HasFinalizer(kIpFinalizer)) return Status::Ok();
  value object = m.raw;
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    auto r = client_->MergePatch(MachineKind(), m.meta.namespace_, m.meta.name, FinalizersPatch(object, false));
    if (!r.ok()) return r.error();
    if (r->ok() || r->code == 404) {
      log::Info("controller", "released address of deleted Machine",
                {{"machine", m.meta.Key()}, {"ip", m.status.ipv4}});
      return Status::Ok();
    }
    if (r->code != 409) return Error{"remove finalizer: " + r->Message()};
    auto fresh = Reread(m.meta);
    if (!fresh.ok()) return fresh.error();
    if (fresh->is_null()) return Status::Ok();
    object = std::move(*fresh);
  }
  return Error{"remove finalizer: too many conflicts"};
}

void MachineController::RecordEvent(const model::Machine& m, const DecidedEvent& e) {
  model::EventRecord rec;
  rec.api_version = "rackboot.io/v1alpha1";
  rec.kind = "Machine";
  rec.object = m.meta;
  rec.type = e.type;
  rec.reason = e.reason;
  rec.message = e.message;
  rec.instance = options_.identity;
  const int64_t now = model::NowMicros();
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%llx%llx", static_cast<unsigned long long>(now),
                static_cast<unsigned long long>(++event_seq_));
  const std::string ns = m.meta.namespace_.empty() ? "default" : m.meta.namespace_;
  events_->Post(ns, rec.ToJson(suffix, now), e.type == "Warning");
}

bool MachineController::IsOwnStaleVersion(const std::string& key, const std::string& resource_version) {
  std::lock_guard lock(stale_mu_);
  auto it = stale_versions_.find(key);
  if (it == stale_versions_.end()) return false;
  for (const auto& v : it->second) {
    if (v == resource_version) return true;
  }
  // The cache has caught up with our last write (or moved past it).
  stale_versions_.erase(it);
  return false;
}

void MachineController::RememberStaleVersions(const std::string& key, std::vector<std::string> versions) {
  std::lock_guard lock(stale_mu_);
  if (versions.empty()) {
    stale_versions_.erase(key);
  } else {
    stale_versions_[key] = std::move(versions);
  }
}

std::vector<std::string> MachineController::OlderMachinesSharingAMac(const model::Machine& m) const {
  std::vector<std::string> out;
  const auto mine = std::make_pair(m.meta.creation_timestamp, m.meta.Key());
  for (const auto& mac : MachineMacs(m.raw)) {
    for (const auto& key : machines_->store().KeysByIndex(kIndexByMac, mac)) {
      if (key == m.meta.Key()) continue;
      auto other = machines_->store().Get(key);
      if (!other) continue;
      auto meta = model::ObjectMeta::FromJson(*other);
      // RFC 3339 UTC timestamps of one format compare as strings.
      if (meta.deletion_timestamp.empty() && std::make_pair(meta.creation_timestamp, key) < mine) out.push_back(key);
    }
  }
  return out;
}

Status MachineController::Reconcile(const std::string& key) {
  ++reconciles_;
  auto cached = machines_->store().Get(key);
  if (!cached) {
    // Gone (deleted without our finalizer, or after it): nothing holds its address.
    RememberStaleVersions(key, {});
    {
      std::lock_guard lock(alloc_mu_);
      ips_.Release(key);
    }
    Publish(key, std::nullopt);
    return Status::Ok();
  }
  if (IsOwnStaleVersion(key, k8s::ObjectResourceVersion(*cached))) return Status::Ok();
  value object = std::move(*cached);
  // Versions this pass saw or wrote; all but the last are stale once it ends.
  std::vector<std::string> versions{k8s::ObjectResourceVersion(object)};
  auto finish = [&](const value& last) {
    const std::string rv = k8s::ObjectResourceVersion(last);
    std::vector<std::string> stale;
    for (auto& v : versions) {
      if (v != rv) stale.push_back(std::move(v));
    }
    RememberStaleVersions(key, std::move(stale));
  };
  for (int attempt = 0; attempt <= kMaxConflictRetries; ++attempt) {
    auto m = model::Machine::FromJson(object);
    if (!m.ok()) return m.error();
    if (!m->meta.deletion_timestamp.empty()) return Finalize(*m);
    if (!m->meta.HasFinalizer(kIpFinalizer)) {
      auto with = EnsureFinalizer(object);
      if (!with.ok()) return with.error();
      object = std::move(*with);
      versions.push_back(k8s::ObjectResourceVersion(object));
      continue;
    }
    const std::optional<model::BootProfile> profile = CachedProfile(*m);
    const std::vector<std::string> mac_taken_by = OlderMachinesSharingAMac(*m);
    const resolve::SecretData secrets = CachedSecrets(*m, profile ? &*profile : nullptr);
    MachineDecision d;
    {
      std::lock_guard lock(alloc_mu_);
      d = DecideMachine(*m, profile ? &*profile : nullptr, ips_, model::FormatTime(model::NowMicros() / 1000000),
                        mac_taken_by, secrets);
      // Claim before writing: the key keeps the address across retries, so
      // a failed write never lets the address go to another Machine.
      if (d.release) ips_.ReleaseIp(*d.release, key);
      if (d.claim && !ips_.Claim(*d.claim, key)) return Error{"address claimed concurrently"};
    }
    if (d.status_changed) {
      auto r = client_->ReplaceStatus(MachineKind(), m->WithStatus(d.status));
      if (!r.ok()) return r.error();
      if (r->code == 409) {
        auto fresh = Reread(m->meta);
        if (!fresh.ok()) return fresh.error();
        if (fresh->is_null()) return Status::Ok();
        object = std::move(*fresh);
        versions.push_back(k8s::ObjectResourceVersion(object));
        continue;
      }
      if (r->code == 404) return Status::Ok();
      if (!r->ok()) return Error{"status write: " + r->Message()};
      versions.push_back(k8s::ObjectResourceVersion(r->body));
      log::Debug("controller", "status written",
                 {{"machine", key}, {"phase", d.status.phase}, {"ip", d.status.ipv4}, {"epoch", epoch_.load()}});
      finish(r->body);
    } else {
      finish(object);
    }
    Publish(key, std::move(d.assignment));
    for (const auto& e : d.events) RecordEvent(*m, e);
    return Status::Ok();
  }
  return Error{"status write: too many conflicts"};
}

}  // namespace rackboot::controller
