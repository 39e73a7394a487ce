#include "bootd/http/boot_http_handler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "bootd/http/byte_range.h"
#include "bootd/http/request_path.h"
#include "bootd/render/machine_scripts.h"
#include "common/clock.h"
#include "common/log.h"

namespace rackboot::bootd::http {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

HttpResponse IpxeText(std::string script) {
  return TextResponse(200, std::move(script), "text/plain; charset=utf-8");
}

// Script served when rendering failed: fixed text, nothing from the inputs.
bool IsUpstreamUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string RenderFailureScript(const MacAddress& mac) {
  return "#!ipxe\necho rackboot: the boot script for " + mac.ToString(':') +
         " could not be rendered; see the bootd log\nexit\n";
}

}  // namespace

std::optional<MacAddress> ParseMacFromPath(const std::string& text) {
  if (text.size() == 12 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string colon;
    for (size_t i = 0; i < 12; i += 2) colon += (i ? ":" : "") + text.substr(i, 2);
    return MacAddress::Parse(colon);
  }
  return MacAddress::Parse(text);
}

std::string EventsJson(const std::vector<BootEvent>& events) {
  std::string out = "[";
  for (size_t i = 0; i < events.size(); ++i) {
    const BootEvent& e = events[i];
    out += i ? ",\n" : "\n";
    out += "{\"sequence\":" + std::to_string(e.sequence) + ",\"mac\":" + JsonString(e.mac.ToString(':')) +
           ",\"machine\":" + JsonString(e.machine_name) + ",\"stage\":" + JsonString(BootStageName(e.stage)) +
           ",\"unix_millis\":" + std::to_string(e.unix_millis) + ",\"bytes\":" + std::to_string(e.bytes) +
           ",\"duration_millis\":" + std::to_string(e.duration_millis) + ",\"detail\":" + JsonString(e.detail) + "}";
  }
  return out + "\n]\n";
}

BootHttpHandler::BootHttpHandler(AssignmentStore& assignments, BootEventRecorder& events,
                                 std::shared_ptr<ArtifactRoot> root, ConfigTokenSigner signer, BootHttpOptions options)
    : assignments_(assignments),
      events_(events),
      root_(std::move(root)),
      signer_(std::move(signer)),
      options_(std::move(options)),
      script_cache_(std::make_unique<RenderedScriptCache>(
          std::min(options_.script_cache_seconds, signer_.ttl_seconds() / 10), options_.script_cache_entries)) {}

int64_t BootHttpHandler::Now() const {
  return options_.now_unix ? options_.now_unix() : UnixSeconds();
}

void BootHttpHandler::RecordScript(const MacAddress& mac, const Assignment& a, const std::string& kind, size_t bytes) {
  BootEvent ev;
  ev.mac = mac;
  ev.machine_name = a.machine_name;
  ev.stage = BootStage::kScript;
  ev.detail = kind;
  ev.bytes = bytes;
  events_.Record(std::move(ev));
}

bool BootHttpHandler::MayBlock(const HttpRequest& req) {
  // Decided on the raw path: any spelling that normalises to /cached/...
  // starts with a segment "cached" (percent-encoding of it is still
  // caught: such a path is handed off too, which is merely slower).
  std::string_view p = req.path;
  while (!p.empty() && p.front() == '/') p.remove_prefix(1);
  return p.rfind("cached", 0) == 0 || p.find('%') != std::string_view::npos;
}

HttpResponse BootHttpHandler::Handle(const HttpRequest& req, const PeerInfo& peer) {
  const bool is_head = req.method == "HEAD";
  if (req.method != "GET" && !is_head && req.method != "POST") {
    HttpResponse r = TextResponse(405, "method not allowed\n");
    r.SetHeader("Allow", "GET, HEAD, POST");
    return r;
  }
  auto segs = NormalizeRequestPath(req.path);
  if (!segs.ok()) return TextResponse(400, "bad path: " + segs.error().message + "\n");
  const std::vector<std::string>& s = *segs;
  HttpResponse r;
  const std::string first = s.empty() ? "" : s[0];
  if (req.method == "POST" && first != "booted") {
    r = TextResponse(405, "method not allowed\n");
    r.SetHeader("Allow", "GET, HEAD");
  } else if (s.size() == 1 && first == "healthz") {
    r = TextResponse(200, "ok\n");
  } else if (s.size() == 2 && (first == "ipxe" || first == "grub" || first == "pxelinux")) {
    r = Script(first, s[1], peer);
  } else if (s.size() >= 3 && first == "config") {
    r = Config(s, req, peer);
  } else if (s.size() == 2 && first == "booted") {
    r = Booted(s[1], peer);
  } else if (s.size() == 4 && first == "api" && s[1] == "v1" && s[2] == "events") {
    r = Events(s[3]);
  } else if (s.size() >= 3 && first == "boot") {
    auto mac = ParseMacFromPath(s[1]);
    r = mac ? Artifact(s, 2, req, mac) : TextResponse(404, "not found\n");
  } else if (s.size() == 4 && first == "cached") {
    r = CachedArtifact(s, req);
  } else if (s.size() >= 2 && first == "artifacts") {
    r = Artifact(s, 1, req, options_.mac_for_ip && peer.ip ? options_.mac_for_ip(*peer.ip) : std::nullopt);
  } else {
    r = TextResponse(404, "not found\n");
  }
  if (is_head) r.head_only = true;
  return r;
}

ScriptAnswer AnswerScript(const std::string& kind, const Assignment* a, const render::ScriptRequest& request) {
  ScriptAnswer answer;
  if (a == nullptr) {
    answer.outcome = ScriptAnswer::Outcome::kUnknownMachine;
    if (kind == "ipxe") {
      answer.body = render::DiscoveryIpxeScript(request.mac, request.rack);
    } else {
      answer.status = 404;
      answer.body = "no machine with this MAC\n";
    }
    return answer;
  }
  if (!a->allow_pxe) {
    // DHCP gave this machine no boot file; an iPXE that asks anyway (on NIC
    // flash, or a script URL it kept) is told why and exits to the next
    // boot device, the disk.
    answer.outcome = ScriptAnswer::Outcome::kNetbootOff;
    if (kind == "ipxe") {
      answer.body = render::NetbootOffIpxeScript(request.mac, a->machine_name);
    } else {
      answer.status = 404;
      answer.body = "netboot is off for this machine\n";
    }
    return answer;
  }
  Result<std::string> out = kind == "ipxe"   ? render::RenderIpxeScript(*a, request)
                            : kind == "grub" ? render::RenderGrubConfig(*a, request)
                                             : render::RenderPxelinuxConfig(*a, request);
  if (!out.ok()) {
    answer.outcome = ScriptAnswer::Outcome::kRenderFailed;
    answer.error = out.error().message;
    if (kind == "ipxe") {
      answer.body = RenderFailureScript(request.mac);
    } else {
      answer.status = 500;
      answer.body = "script could not be rendered\n";
    }
    return answer;
  }
  answer.body = std::move(out).value();
  return answer;
}

HttpResponse BootHttpHandler::Script(const std::string& kind, const std::string& mac_text, const PeerInfo& peer) {
  auto mac = ParseMacFromPath(mac_text);
  if (!mac) {
    if (kind == "ipxe") {
      return IpxeText("#!ipxe\necho rackboot: the boot URL does not name a MAC address\nexit\n");
    }
    return TextResponse(404, "not a MAC address\n");
  }
  // The revision is read before the lookup, so an entry is never filed
  // under a revision newer than the assignment it was rendered from.
  const uint64_t revision = assignments_.revision();
  AssignmentStore::Ptr a = assignments_.FindByMac(*mac);
  const int64_t now = Now();
  const ScriptCacheKey key{kind[0], *mac, peer.ip, revision};
  if (a && a->allow_pxe) {
    if (std::optional<std::string> cached = script_cache_->Get(key, now)) {
      RecordScript(*mac, *a, kind, cached->size());
      return IpxeText(std::move(*cached));
    }
  }
  render::ScriptRequest sr;
  sr.mac = *mac;
  sr.client_ip = peer.ip;
  sr.public_url = options_.public_url;
  sr.rack = options_.rack;
  sr.environment = options_.environment;
  if (peer.ip && a && a->allow_pxe) sr.config_token = signer_.Mint(*mac, *peer.ip, now);
  sr.upstream_via_cache = options_.upstream_cache != nullptr;
  ScriptAnswer answer = AnswerScript(kind, a.get(), sr);
  switch (answer.outcome) {
    case ScriptAnswer::Outcome::kUnknownMachine:
      log::Info("http", "script for unknown machine", {{"mac", mac->ToString()}, {"stage", "script"}, {"kind", kind}});
      break;
    case ScriptAnswer::Outcome::kNetbootOff:
      log::Info("http", "script for a machine that may not netboot",
                {{"mac", mac->ToString()}, {"stage", "script"}, {"kind", kind}, {"machine", a->machine_name}});
      break;
    case ScriptAnswer::Outcome::kRenderFailed: {
      log::Error("http", "script render failed",
                 {{"mac", mac->ToString()}, {"stage", "script"}, {"kind", kind}, {"error", answer.error}});
      BootEvent ev;
      ev.mac = *mac;
      ev.machine_name = a->machine_name;
      ev.stage = BootStage::kError;
      ev.detail = kind + " script render failed: " + answer.error;
      events_.Record(ev);
      break;
    }
    case ScriptAnswer::Outcome::kRendered:
      RecordScript(*mac, *a, kind, answer.body.size());
      script_cache_->Put(key, answer.body, now);
      break;
  }
  if (answer.status != 200) return TextResponse(answer.status, std::move(answer.body));
  return IpxeText(std::move(answer.body));
}

HttpResponse BootHttpHandler::Config(const std::vector<std::string>& s, const HttpRequest& req, const PeerInfo& peer) {
  auto mac = ParseMacFromPath(s[1]);
  std::string token, name;
  if (s.size() == 5 && s[2] == "t") {
    token = s[3];
    name = s[4];
  } else if (s.size() == 3) {
    name = s[2];
    auto it = req.query.find("token");
    if (it != req.query.end()) token = it->second;
  } else {
    return TextResponse(404, "not found\n");
  }
  if (!mac) return TextResponse(404, "not found\n");
  AssignmentStore::Ptr a = assignments_.FindByMac(*mac);
  if (!a || a->boot.install_configs.count(name) == 0) return TextResponse(404, "not found\n");
  bool is_public = false;
  for (const auto& p : options_.public_configs) is_public = is_public || p == name;
  if (render::NeedsConfigToken(*a, name, is_public)) {
    Status ok = peer.ip ? signer_.Verify(token, *mac, *peer.ip, Now()) : Status(Error{"no IPv4 source address"});
    if (!ok.ok()) {
      log::Warn("http", "install config refused",
                {{"mac", mac->ToString()}, {"stage", "config"}, {"config", name}, {"reason", ok.message()}});
      return TextResponse(403, "forbidden\n");
    }
  }
  render::ScriptRequest sr;
  sr.mac = *mac;
  sr.client_ip = peer.ip;
  sr.public_url = options_.public_url;
  sr.rack = options_.rack;
  sr.environment = options_.environment;
  sr.config_token = token;
  auto out = render::RenderInstallConfig(*a, sr, name);
  if (!out.ok()) {
    log::Error("http", "install config render failed",
               {{"mac", mac->ToString()}, {"stage", "config"}, {"config", name}, {"error", out.error().message}});
    return TextResponse(500, "install config could not be rendered\n");
  }
  HttpResponse r = TextResponse(200, std::move(out).value());
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

HttpResponse BootHttpHandler::Booted(const std::string& mac_text, const PeerInfo& peer) {
  auto mac = ParseMacFromPath(mac_text);
  if (!mac) return TextResponse(404, "not a MAC address\n");
  AssignmentStore::Ptr a = assignments_.FindByMac(*mac);
  if (!a) return TextResponse(404, "no machine with this MAC\n");
  BootEvent ev;
  ev.mac = *mac;
  ev.machine_name = a->machine_name;
  ev.stage = BootStage::kBooted;
  ev.detail = peer.ip ? "from " + peer.ip->ToString() : "";
  ev.reprovision = a->reprovision;
  ev.generation = a->generation;
  events_.Record(ev);
  return TextResponse(200, "ok\n");
}

HttpResponse BootHttpHandler::Events(const std::string& mac_text) {
  auto mac = ParseMacFromPath(mac_text);
  if (!mac) return TextResponse(404, "not a MAC address\n");
  HttpResponse r = TextResponse(200, EventsJson(events_.EventsFor(*mac)), "application/json");
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

HttpResponse BootHttpHandler::Artifact(const std::vector<std::string>& s, size_t first, const HttpRequest& req,
                                       const std::optional<MacAddress>& mac) {
  if (!root_) return TextResponse(404, "no artifact root configured\n");
  std::vector<std::string> rel(s.begin() + static_cast<std::ptrdiff_t>(first), s.end());
  auto opened = root_->OpenFile(rel);
  if (!opened.ok()) return TextResponse(404, "not found\n");
  const std::string path = JoinSegments(rel);
  BootStage stage = BootStage::kBootFile;
  std::string machine;
  if (mac) {
    if (AssignmentStore::Ptr a = assignments_.FindByMac(*mac)) {
      machine = a->machine_name;
      auto same = [&](const BootArtifact& art) {
        std::string u = art.url;
        while (!u.empty() && u.front() == '/') u.erase(u.begin());
        return u == path;
      };
      auto check = [&](const BootArtifact& k, const std::vector<BootArtifact>& inits) {
        if (same(k)) stage = BootStage::kKernel;
        for (const auto& i : inits) {
          if (same(i)) stage = BootStage::kInitrd;
        }
      };
      check(a->boot.kernel, a->boot.initrds);
      for (const auto& e : a->boot.menu) check(e.kernel, e.initrds);
    }
  }
  return ServeFile(std::move(opened).value(), req, mac, path, stage, machine);
}

// /cached/<mac>/<sha256>/<name>: only artifacts of that machine's own
// profile can be fetched, so the route is no open proxy; <name> is cosmetic
// (iPXE and UEFI kernels name initrds after the last path segment).
HttpResponse BootHttpHandler::CachedArtifact(const std::vector<std::string>& s, const HttpRequest& req) {
  auto mac = ParseMacFromPath(s[1]);
  if (!options_.upstream_cache || !mac) return TextResponse(404, "not found\n");
  AssignmentStore::Ptr a = assignments_.FindByMac(*mac);
  if (!a) return TextResponse(404, "no machine with this MAC\n");
  const std::string& sha = s[2];
  const BootArtifact* found = nullptr;
  BootStage stage = BootStage::kBootFile;
  auto check = [&](const BootArtifact& k, const std::vector<BootArtifact>& inits) {
    if (k.sha256 == sha) found = &k, stage = BootStage::kKernel;
    for (const auto& i : inits) {
      if (i.sha256 == sha) found = &i, stage = BootStage::kInitrd;
    }
  };
  check(a->boot.kernel, a->boot.initrds);
  for (const auto& e : a->boot.menu) check(e.kernel, e.initrds);
  if (!found || !IsUpstreamUrl(found->url)) return TextResponse(404, "not an upstream artifact of this machine\n");
  auto opened = options_.upstream_cache->Get(found->url, sha);
  if (!opened.ok()) {
    log::Error("http", "upstream artifact unavailable",
               {{"mac", mac->ToString()},
                {"stage", BootStageName(stage)},
                {"sha256", sha},
                {"error", opened.error().message}});
    BootEvent ev;
    ev.mac = *mac;
    ev.machine_name = a->machine_name;
    ev.stage = BootStage::kError;
    ev.detail = std::string(BootStageName(stage)) + " " + sha + " unavailable: " + opened.error().message;
    events_.Record(ev);
    return TextResponse(502, "upstream artifact unavailable\n");
  }
  return ServeFile(std::move(opened).value(), req, mac, JoinSegments(s), stage, a->machine_name);
}

HttpResponse BootHttpHandler::ServeFile(OpenedFile f, const HttpRequest& req, const std::optional<MacAddress>& mac,
                                        const std::string& path, BootStage stage, const std::string& machine) {
  HttpResponse r;
  r.SetHeader("Content-Type", "application/octet-stream");
  r.SetHeader("ETag", f.etag);
  r.SetHeader("Last-Modified", HttpDate(f.mtime_seconds));
  r.SetHeader("Accept-Ranges", "bytes");
  // RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
  if (const std::string* inm = req.Header("if-none-match")) {
    if (*inm == "*" || inm->find(f.etag) != std::string::npos) {
      r.status = 304;
      return r;
    }
  } else if (const std::string* ims = req.Header("if-modified-since")) {
    auto t = ParseHttpDate(*ims);
    if (t && f.mtime_seconds <= *t) {
      r.status = 304;
      return r;
    }
  }
  RangeDecision range;
  if (const std::string* rh = req.Header("range")) {
    const std::string* if_range = req.Header("if-range");
    // §13.1.5: a stale If-Range validator means "send everything".
    if (if_range == nullptr || *if_range == f.etag) range = DecideRange(*rh, f.size);
  }
  if (range.kind == RangeKind::kUnsatisfiable) {
    HttpResponse bad = TextResponse(416, "");
    bad.SetHeader("Content-Range", "bytes */" + std::to_string(f.size));
    return bad;
  }
  r.file_offset = 0;
  r.file_length = f.size;
  if (range.kind == RangeKind::kSatisfiable) {
    r.status = 206;
    r.file_offset = range.range.first;
    r.file_length = range.range.length();
    r.SetHeader("Content-Range", "bytes " + std::to_string(range.range.first) + "-" + std::to_string(range.range.last) +
                                     "/" + std::to_string(f.size));
  }
  r.file = std::move(f);
  if (mac && req.method == "GET") {
    BootEventRecorder* events = &events_;
    const MacAddress m = *mac;
    r.on_complete = [events, m, machine, stage, path](uint64_t bytes, uint64_t millis) {
      BootEvent ev;
      ev.mac = m;
      ev.machine_name = machine;
      ev.stage = stage;
      ev.bytes = bytes;
      ev.duration_millis = millis;
      ev.detail = path;
      events->Record(ev);
    };
  }
  return r;
}

}  // namespace rackboot::bootd::http
