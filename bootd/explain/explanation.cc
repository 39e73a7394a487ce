#include "bootd/explain/explanation.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <vector>

#include "bootd/dhcp/boot_answer.h"
#include "bootd/dhcp/client_class.h"
#include "bootd/dhcp/dhcp_engine.h"
#include "bootd/dhcp/options.h"
#include "bootd/explain/firmware_requests.h"
#include "bootd/explain/read_only_leases.h"
#include "bootd/http/boot_http_handler.h"
#include "bootd/mac_in_url.h"
#include "bootd/render/machine_scripts.h"

namespace rackboot::bootd::explain {
namespace {

constexpr size_t kShownRecords = 24;
// Secret parameter values this long or longer are masked wherever they
// would appear (shorter ones would mask ordinary words).
constexpr size_t kMaskedSecretMinLength = 6;

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string Utc(int64_t unix_millis) {
  const std::time_t t = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(unix_millis % 1000));
  return std::string(buf) + ms;
}

// One option of a reply as people read it.
std::string OptionText(uint8_t code, const std::string& data) {
  using namespace dhcp;
  switch (code) {
    case kOptSubnetMask:
    case kOptRouter:
    case kOptDnsServers:
    case kOptBroadcastAddress:
    case kOptServerId:
      if (auto a = OptionAddressList::Parse(data)) {
        std::string out;
        for (const auto& ip : a->values) out += (out.empty() ? "" : ",") + ip.ToString();
        return out;
      }
      break;
    case kOptLeaseTime:
    case kOptRenewalTime:
    case kOptRebindingTime:
      if (auto v = OptionU32::Parse(data)) return std::to_string(v->value) + "s";
      break;
    case kOptMessageType:
      if (data.size() == 1) return MessageTypeName(static_cast<MessageType>(data[0]));
      break;
    case kOptHostName:
    case kOptDomainName:
    case kOptVendorClass:
    case kOptTftpServerName:
    case kOptBootfileName:
    case kOptMessage: return data;
    default: break;
  }
  return "0x" + Hex(data);
}

std::string ReplyText(const dhcp::Packet4& reply) {
  std::string out = reply.message_type() ? dhcp::MessageTypeName(*reply.message_type()) : "reply";
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!reply.yiaddr.IsZero()) out += " address " + reply.yiaddr.ToString();
  out += reply.file.empty() && !reply.Has(dhcp::kOptBootfileName) ? " without a boot file" : "";
  out += "\n      options:";
  for (const auto& [code, data] : reply.options) out += " " + std::to_string(code) + "=" + OptionText(code, data);
  if (!reply.siaddr.IsZero()) out += "\n      next-server (siaddr) " + reply.siaddr.ToString();
  return out;
}

// Why a request got no reply, in the words an operator searches for.
std::string DropText(dhcp::DropReason reason) {
  using dhcp::DropReason;
  std::string meaning;
  switch (reason) {
    case DropReason::kUnknownClient:
      meaning = "ProxyDHCP answers only machines it knows, and no Machine lists this MAC";
      break;
    case DropReason::kPxeDisabled: meaning = "netboot is off for this machine"; break;
    case DropReason::kNotPxeClient: meaning = "bootd has no boot information for this client (see boot file)"; break;
    case DropReason::kPoolExhausted: meaning = "no free address in the pool (or no pool for this network)"; break;
    case DropReason::kLeaseStoreError: meaning = "the lease store refused the binding"; break;
    default: break;
  }
  return std::string("no reply (") + dhcp::DropReasonName(reason) + ")" + (meaning.empty() ? "" : ": " + meaning);
}

bool SafeRelative(const std::string& name) {
  return !name.empty() && name.front() != '/' && name.find("..") == std::string::npos;
}

// Where the firmware fetches the boot file from, and whether it is there.
std::string BootFileSource(const BootdConfig& config, const dhcp::BootAnswer& answer) {
  const std::string artifacts = config.http.public_url + "/artifacts/";
  if (answer.detail == "ipxe-script") return "the machine's iPXE script, over HTTP (script below)";
  if (answer.file.rfind("http://", 0) == 0 || answer.file.rfind("https://", 0) == 0) {
    if (answer.file.rfind(artifacts, 0) != 0) return "over HTTP from outside bootd";
    const std::string rel = answer.file.substr(artifacts.size());
    if (config.http.artifact_root.empty()) return "over HTTP: http.artifactRoot is not set, bootd answers 404";
    if (!SafeRelative(rel) || !std::filesystem::exists(std::filesystem::path(config.http.artifact_root) / rel)) {
      return "over HTTP: MISSING from http.artifactRoot " + config.http.artifact_root + ", bootd answers 404";
    }
    return "over HTTP from http.artifactRoot " + config.http.artifact_root + " (present)";
  }
  if (!config.tftp.enabled) {
    return "over TFTP, but TFTP is OFF in this bootd: the firmware times out unless another TFTP server has it";
  }
  if (!SafeRelative(answer.file) || !std::filesystem::exists(std::filesystem::path(config.tftp.root) / answer.file)) {
    return "over TFTP: MISSING from tftp.root " + config.tftp.root + ", TFTP answers 'file not found'";
  }
  return "over TFTP " + config.tftp.listen + " from tftp.root " + config.tftp.root + " (present)";
}

std::string Masked(std::string text, const Assignment* a) {
  if (!a) return text;
  for (const auto& [name, value] : a->secret_parameters) {
    if (value.size() < kMaskedSecretMinLength) continue;
    for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at)) {
      const std::string mask = "<secret " + name + " masked>";
      text.replace(at, value.size(), mask);
      at += mask.size();
    }
  }
  return text;
}

std::string Indented(const std::string& text, const char* prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// Why a known machine may not netboot. The assignment carries the outcome
// (allow_pxe), not the reason; these are the three ways it comes about
// (resolve/netboot_decision.h).
std::string NetbootOffReason(const Assignment& a) {
  if (a.boot.kernel.url.empty() && a.boot.menu.empty()) {
    return "the Machine has no BootProfile (spec.bootProfileRef), so it is known but gets no boot file";
  }
  if (a.boot_once) {
    return "bootOnce: the machine has already booted" +
           (a.reprovision.empty() ? std::string() : " for re-provision request '" + a.reprovision + "'") +
           "; set the annotation rackboot.io/reprovision to a new value to netboot it again";
  }
  return "spec.netboot.allowPXE is false";
}

struct MacReport {
  std::string verdict;
  std::string body;
};

class MacExplainer {
 public:
  MacExplainer(const ExplainState& s, const MacAddress& mac) : s_(s), c_(*s.config), mac_(mac) {
    assignment_ = s.assignments->FindByMac(mac);
    is_default_ = assignment_ && assignment_ == s.assignments->Default();
  }

  MacReport Run() {
    MacReport r;
    r.body += Machine();
    r.body += Dhcp();
    r.body += Script();
    r.body += Records();
    r.verdict = Verdict();
    return r;
  }

 private:
  std::string Machine() {
    std::string out = "machine: ";
    if (!assignment_) {
      return out + "NONE: no Machine on rack " + c_.rack + " lists MAC " + mac_.ToString() +
             (s_.assignments->Default() ? "" : ", and there is no default BootProfile for unknown machines") + "\n";
    }
    const Assignment& a = *assignment_;
    if (is_default_) {
      out += "none lists this MAC; the default BootProfile for unknown machines (" + a.boot.profile_name +
             ") answers it\n";
    } else {
      out += a.machine_name + " (generation " + std::to_string(a.generation) + "), hostname " +
             (a.hostname.empty() ? "-" : a.hostname) + ", profile " +
             (a.boot.profile_name.empty() ? "-" : a.boot.profile_name) + "\n";
    }
    for (const auto& i : a.interfaces) {
      out += "  interface " + i.mac.ToString() + (i.primary ? " (primary)" : "") + ": " +
             (i.ipv4 ? i.ipv4->ToString() + " reserved" : std::string("address from the pool")) + "\n";
    }
    if (!a.uuid.empty()) out += "  uuid " + a.uuid + "\n";
    if (a.boot_once) {
      out += "  bootOnce: true" + (a.reprovision.empty() ? "" : ", reprovision '" + a.reprovision + "'") + "\n";
    }
    out += "  netboot: " + (a.allow_pxe ? std::string("allowed") : "OFF: " + NetbootOffReason(a)) + "\n";
    if (s_.leases) {
      if (auto lease = s_.leases->FindByMac(mac_)) {
        out += "  lease: " + lease->ip.ToString() + (lease->state == LeaseState::kActive ? " active" : " not active") +
               ", expires " + Utc(lease->expires_unix * 1000) + "\n";
      }
    }
    return out;
  }

  std::string Dhcp() {
    const char* mode = c_.dhcp.mode == DhcpMode::kServer  ? "server"
                       : c_.dhcp.mode == DhcpMode::kProxy ? "proxy"
                                                          : "off";
    std::string out = std::string("\nDHCP (dhcp.mode ") + mode + "), per firmware class:\n";
    if (c_.dhcp.mode == DhcpMode::kOff) {
      out +=
          "  bootd sends no DHCP replies; the site's DHCP server must name the boot file and next-server.\n"
          "  What bootd would put in them:\n";
    }
    ReadOnlyLeases leases(s_.leases);
    for (const FirmwareClass& fw : FirmwareClasses()) {
      const std::string uuid = assignment_ ? assignment_->uuid : "";
      const dhcp::Packet4 discover = FirmwareRequest(fw, mac_, uuid, dhcp::MessageType::kDiscover);
      const dhcp::ClientInfo info = dhcp::ClassifyClient(discover);
      out += "  " + fw.title + " (option 93 = " + std::to_string(fw.arch_type) + ", class " + info.class_name() + ", " +
             dhcp::BootClientKindName(info.kind) + "):\n";
      if (c_.dhcp.mode != DhcpMode::kOff) {
        // A fresh engine per request: an OFFER's hold stays in it.
        dhcp::DhcpEngine engine(c_, *s_.assignments, leases);
        dhcp::RequestContext ctx;
        ctx.now_unix = s_.now_unix;
        const dhcp::Decision d = engine.Decide(discover, ctx);
        out += "    DISCOVER -> " + (d.reply ? ReplyText(*d.reply) : DropText(d.drop)) + "\n";
        if (d.reply && !d.reply->yiaddr.IsZero() && !client_ip_) client_ip_ = d.reply->yiaddr;
        if (c_.dhcp.mode == DhcpMode::kProxy && d.reply) {
          // PXE 2.1 §2.2.7: the client then asks the boot server on 4011.
          dhcp::RequestContext at4011 = ctx;
          at4011.local_port = dhcp::kPxeBootServerPort;
          const dhcp::Decision r = engine.Decide(FirmwareRequest(fw, mac_, uuid, dhcp::MessageType::kRequest), at4011);
          out += "    REQUEST to port 4011 -> " + (r.reply ? ReplyText(*r.reply) : DropText(r.drop)) + "\n";
        }
      }
      std::string why;
      const auto answer = dhcp::ChooseBootAnswer(c_, info, assignment_.get(), &why);
      if (!answer) {
        out += "    boot file: NONE: " + why + "\n";
        no_boot_file_ = why;
        continue;
      }
      out += "    boot file: " + answer->file + "\n      " + BootFileSource(c_, *answer) + "\n";
    }
    return out;
  }

  render::ScriptRequest Request() const {
    render::ScriptRequest sr;
    sr.mac = mac_;
    sr.public_url = c_.http.public_url;
    while (!sr.public_url.empty() && sr.public_url.back() == '/') sr.public_url.pop_back();
    sr.rack = c_.rack;
    sr.environment = c_.http.environment;
    sr.upstream_via_cache = s_.upstream_via_cache;
    std::optional<Ipv4Address> ip = client_ip_;
    if (assignment_) {
      if (const InterfaceAssignment* i = assignment_->FindInterface(mac_); i && i->ipv4) ip = i->ipv4;
    }
    if (!ip && s_.leases) {
      if (auto lease = s_.leases->FindByMac(mac_)) ip = lease->ip;
    }
    sr.client_ip = ip;
    // The handler mints a token only for a request with a source address.
    if (ip) sr.config_token = kMaskedToken;
    return sr;
  }

  std::string Script() {
    std::string out;
    if (!c_.http.enabled) return "\nscripts: HTTP is off in this bootd: no iPXE script is served\n";
    const render::ScriptRequest sr = Request();
    std::vector<std::string> kinds = {"ipxe"};
    if (assignment_ && !assignment_->boot.grub_template.empty()) kinds.push_back("grub");
    if (assignment_ && !assignment_->boot.pxelinux_template.empty()) kinds.push_back("pxelinux");
    for (const std::string& kind : kinds) {
      const http::ScriptAnswer answer = http::AnswerScript(kind, assignment_.get(), sr);
      out += "\n" + kind + " script: GET " + sr.public_url + "/" + kind + "/" + MacInUrl(mac_) + " -> " +
             std::to_string(answer.status);
      switch (answer.outcome) {
        case http::ScriptAnswer::Outcome::kUnknownMachine: out += " (unknown machine)"; break;
        case http::ScriptAnswer::Outcome::kNetbootOff: out += " (netboot off)"; break;
        case http::ScriptAnswer::Outcome::kRenderFailed:
          out += " (RENDER FAILED: " + answer.error + ")";
          if (script_error_.empty()) script_error_ = answer.error;
          break;
        case http::ScriptAnswer::Outcome::kRendered: out += " (config token masked)"; break;
      }
      out += "\n" + Indented(Masked(answer.body, assignment_.get()), "  | ");
    }
    if (assignment_ && assignment_->allow_pxe && !assignment_->boot.install_configs.empty()) {
      out += "install configs (contents not shown):\n";
      for (const auto& [name, unused] : assignment_->boot.install_configs) {
        bool listed = false;
        for (const auto& p : c_.http.public_configs) listed = listed || p == name;
        auto rendered = render::RenderInstallConfig(*assignment_, sr, name);
        out += "  " + name + ": " + (render::NeedsConfigToken(*assignment_, name, listed) ? "token" : "public") + ", " +
               (rendered.ok() ? "renders (" + std::to_string(rendered->size()) + " bytes)"
                              : "RENDER FAILED: " + rendered.error().message) +
               "\n";
        if (!rendered.ok() && script_error_.empty()) script_error_ = rendered.error().message;
      }
    }
    return out;
  }

  std::string Records() {
    if (!s_.events) {
      return "\nboot records: not available offline (they live in the running bootd; run bootd explain "
             "without --offline on its host)\n";
    }
    const std::vector<BootEvent> events = s_.events->EventsFor(mac_);
    if (events.empty()) return "\nboot records: none since bootd started (the machine has not asked this bootd)\n";
    std::string out = "\nboot records (newest last";
    const size_t first = events.size() > kShownRecords ? events.size() - kShownRecords : 0;
    out += first ? ", last " + std::to_string(kShownRecords) + " of " + std::to_string(events.size()) : "";
    out += "):\n";
    const BootEvent* fingerprint = nullptr;
    for (size_t i = first; i < events.size(); ++i) {
      const BootEvent& e = events[i];
      out += "  " + Utc(e.unix_millis) + " " + BootStageName(e.stage) + (e.detail.empty() ? "" : " " + e.detail);
      if (e.bytes) out += " (" + std::to_string(e.bytes) + " bytes)";
      out += "\n";
    }
    for (const BootEvent& e : events) {
      if (!e.fingerprint.vendor_class.empty() || !e.fingerprint.client_class.empty()) fingerprint = &e;
    }
    last_stage_ = BootStageName(events.back().stage);
    if (fingerprint) {
      const ClientFingerprint& f = fingerprint->fingerprint;
      out += "last DHCP fingerprint (" + Utc(fingerprint->unix_millis) + "): class " +
             (f.client_class.empty() ? "unknown" : f.client_class) + ", option 93 = " + std::to_string(f.client_arch) +
             ", 60 = " + (f.vendor_class.empty() ? "-" : f.vendor_class) +
             ", 77 = " + (f.user_class.empty() ? "-" : f.user_class) + ", 97 = " + (f.uuid.empty() ? "-" : f.uuid) +
             ", 55 = " + (f.parameter_request_list.empty() ? "-" : f.parameter_request_list) + "\n";
    }
    return out;
  }

  std::string Verdict() const {
    if (!assignment_) {
      return "UNKNOWN MAC: no Machine on rack " + c_.rack + " lists it; bootd gives it no boot file" +
             (c_.dhcp.mode == DhcpMode::kProxy ? " and ProxyDHCP stays silent" : "");
    }
    if (!assignment_->allow_pxe) return "NETBOOT OFF: " + NetbootOffReason(*assignment_);
    if (!script_error_.empty()) return "SCRIPT ERROR: " + script_error_;
    std::string v = "OK: bootd answers with boot files and a script";
    if (!no_boot_file_.empty()) v += " (some firmware classes get none: " + no_boot_file_ + ")";
    if (!last_stage_.empty()) v += "; last recorded stage: " + last_stage_;
    return v;
  }

  const ExplainState& s_;
  const BootdConfig& c_;
  MacAddress mac_;
  AssignmentStore::Ptr assignment_;
  bool is_default_ = false;
  std::optional<Ipv4Address> client_ip_;
  std::string no_boot_file_;
  std::string script_error_;
  std::string last_stage_;
};

// A machine by name: exact ("namespace/name" in controller mode, "name"
// standalone), else the one machine whose name ends in "/<query>".
Result<AssignmentStore::Ptr> FindMachine(const AssignmentStore& store, const std::string& query) {
  if (auto a = store.FindByName(query)) return a;
  std::vector<AssignmentStore::Ptr> found;
  for (const auto& a : store.All()) {
    const std::string& n = a->machine_name;
    if (n.size() > query.size() && n.compare(n.size() - query.size(), query.size(), query) == 0 &&
        n[n.size() - query.size() - 1] == '/') {
      found.push_back(a);
    }
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) return Error{"'" + query + "' is neither a MAC address nor a machine this bootd knows"};
  std::string names;
  for (const auto& a : found) names += (names.empty() ? "" : ", ") + a->machine_name;
  return Error{"'" + query + "' names several machines (" + names + "); give namespace/name"};
}

}  // namespace

Result<std::string> Explain(const ExplainState& state, const std::string& query) {
  std::vector<MacAddress> macs;
  if (auto mac = http::ParseMacFromPath(query)) {
    macs.push_back(*mac);
  } else {
    auto machine = FindMachine(*state.assignments, query);
    if (!machine.ok()) return machine.error();
    for (const auto& i : (*machine)->interfaces) macs.push_back(i.mac);
    if (macs.empty()) return Error{"machine " + (*machine)->machine_name + " has no interfaces"};
  }
  std::string out;
  for (const MacAddress& mac : macs) {
    MacReport r = MacExplainer(state, mac).Run();
    out += (out.empty() ? "" : "\n") + std::string("bootd explain ") + mac.ToString() + " (rack " + state.config->rack +
           ", " + state.source + ", " + Utc(state.now_unix * 1000) + ")\n";
    out += "verdict: " + r.verdict + "\n\n" + r.body;
  }
  if (!state.problems.empty()) {
    out += "\nmanifest problems (the machines they name are not served):\n";
    for (const std::string& p : state.problems) out += "  " + p + "\n";
  }
  return out;
}

}  // namespace rackboot::bootd::explain
