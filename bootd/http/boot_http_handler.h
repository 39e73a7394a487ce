#pragma once
// BootHttpHandler: decides the response to one parsed request. No sockets:
// the server (http_server.h) feeds it requests and writes what it returns.
//
// Routes (MAC as aa-bb-cc-dd-ee-ff, aa:bb:..., or 12 hex digits, either case;
// bootd writes the first form, bootd/mac_in_url.h):
//   GET  /ipxe/<mac>                    per-MAC iPXE script; unknown MAC -> discovery script (200)
//   GET  /grub/<mac>                    per-MAC grub.cfg
//   GET  /pxelinux/<mac>                per-MAC pxelinux config
//   GET  /config/<mac>/<name>?token=T   install config (token bound to MAC + source IP, TTL)
//   GET  /config/<mac>/t/<T>/<name>     same, token in the path (cloud-init NoCloud seed URLs)
//   GET|POST /booted/<mac>              callback from the booted OS (records "booted")
//   GET  /api/v1/events/<mac>           JSON list of recorded boot stages
//   GET|HEAD /boot/<mac>/<path>         artifact from artifactRoot, recorded as kernel/initrd
//   GET|HEAD /artifacts/<path>          artifact from artifactRoot
//   GET|HEAD /cached/<mac>/<sha256>/<name>  upstream (http/https) kernel or initrd of that
//                                       machine's profile, through the rack-local ArtifactCache
//   GET  /healthz

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bootd/bootd_context.h"
#include "bootd/http/artifact_cache.h"
#include "bootd/http/artifact_files.h"
#include "bootd/http/config_token.h"
#include "bootd/http/http_request.h"
#include "bootd/http/http_response.h"
#include "bootd/http/script_cache.h"
#include "bootd/render/machine_scripts.h"

namespace rackboot::bootd::http {

struct PeerInfo {
  std::optional<Ipv4Address> ip;
  bool tls = false;
};

struct BootHttpOptions {
  std::string public_url;  // no trailing '/'
  std::string rack;
  std::map<std::string, std::string> environment;
  std::vector<std::string> public_configs;  // install configs served without a token
  // When set, scripts point upstream artifacts that carry a sha256 at
  // /cached/... and bootd serves them from this cache; unset, the URLs go to
  // the machines as they are.
  std::shared_ptr<ArtifactCache> upstream_cache;
  // Rendered scripts are reused for this long (capped at a tenth of the
  // config token TTL), per (kind, MAC, client IP, assignment revision); see
  // script_cache.h. 0 = render every request.
  int64_t script_cache_seconds = 60;
  size_t script_cache_entries = 32768;
  // Unix seconds for token minting/checking and the script cache; unset =
  // the system clock (tests inject their own).
  std::function<int64_t()> now_unix;
  // The MAC that holds the client IP's DHCP lease. /artifacts/ URLs carry no
  // MAC (UEFI HTTP Boot fetches its boot program from the URL DHCP gave it),
  // so their downloads become boot records of that machine through this;
  // unset or no lease: served, not recorded.
  std::function<std::optional<MacAddress>(Ipv4Address)> mac_for_ip;
};

class BootHttpHandler {
 public:
  BootHttpHandler(AssignmentStore& assignments, BootEventRecorder& events, std::shared_ptr<ArtifactRoot> root,
                  ConfigTokenSigner signer, BootHttpOptions options);

  HttpResponse Handle(const HttpRequest& req, const PeerInfo& peer);

  // True for requests whose Handle() may wait on something slow: a
  // /cached/ artifact can wait for a whole upstream download. The server's
  // event loops hand those connections to a thread of their own first, so
  // one cache miss never stalls the scripts and callbacks of other machines.
  static bool MayBlock(const HttpRequest& req);

 private:
  HttpResponse Script(const std::string& kind, const std::string& mac_text, const PeerInfo& peer);
  HttpResponse Config(const std::vector<std::string>& segs, const HttpRequest& req, const PeerInfo& peer);
  HttpResponse Booted(const std::string& mac_text, const PeerInfo& peer);
  HttpResponse Events(const std::string& mac_text);
  HttpResponse Artifact(const std::vector<std::string>& segs, size_t first, const HttpRequest& req,
                        const std::optional<MacAddress>& mac);
  HttpResponse CachedArtifact(const std::vector<std::string>& segs, const HttpRequest& req);
  // Conditionals, ranges and the boot event of one opened artifact.
  int64_t Now() const;
  void RecordScript(const MacAddress& mac, const Assignment& a, const std::string& kind, size_t bytes);
  HttpResponse ServeFile(OpenedFile f, const HttpRequest& req, const std::optional<MacAddress>& mac,
                         const std::string& path, BootStage stage, const std::string& machine);

  AssignmentStore& assignments_;
  BootEventRecorder& events_;
  std::shared_ptr<ArtifactRoot> root_;
  ConfigTokenSigner signer_;
  BootHttpOptions options_;
  std::unique_ptr<RenderedScriptCache> script_cache_;
};

// What GET /<kind>/<mac> (kind ipxe, grub or pxelinux) answers for the
// machine `a` (null: no machine has this MAC), decided without recording
// anything: the handler adds logs, boot events and caching around it, and
// `bootd explain` shows it (bootd/explain/).
struct ScriptAnswer {
  enum class Outcome { kUnknownMachine, kNetbootOff, kRendered, kRenderFailed };
  Outcome outcome = Outcome::kRendered;
  int status = 200;
  std::string body;   // what the client gets
  std::string error;  // kRenderFailed: the renderer's message (never a secret)
};
ScriptAnswer AnswerScript(const std::string& kind, const Assignment* a, const render::ScriptRequest& request);

// Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff and aabbccddeeff (iPXE
// ${mac:hexraw}), in upper or lower case. URLs bootd writes use the
// dashed lowercase form (bootd/mac_in_url.h).
std::optional<MacAddress> ParseMacFromPath(const std::string& text);
std::string EventsJson(const std::vector<BootEvent>& events);

}  // namespace rackboot::bootd::http
