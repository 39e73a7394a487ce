#include "bootd/http/boot_http_handler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/bootd/http/traversal_variants.h"

namespace rackboot::bootd::http {
namespace {

namespace fs = std::filesystem;
const char* kCanary = "CANARY-OUTSIDE-THE-ROOT";

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("rb-http-handler-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "root" / "debian");
    fs::create_directories(base_ / "root" / "sub");
    fs::create_directories(base_ / "root-private");
    Write(base_ / "canary.txt", kCanary);
    Write(base_ / "root-private" / "secret", kCanary);
    Write(base_ / "root" / "debian" / "vmlinuz", "KERNEL-BYTES-0123456789");
    Write(base_ / "root" / "debian" / "initrd.img", "INITRD");
    fs::create_symlink("../canary.txt", base_ / "root" / "escape-link");
    fs::create_symlink(base_ / "canary.txt", base_ / "root" / "abs-link");
    fs::create_symlink("..", base_ / "root" / "dir-link");
    fs::create_symlink("debian/vmlinuz", base_ / "root" / "inside-link");

    Assignment a;
    a.machine_name = "lab/node-01";
    a.hostname = "node-01";
    InterfaceAssignment i;
    i.mac = *MacAddress::Parse("52:54:00:12:34:56");
    a.interfaces.push_back(i);
    a.boot.profile_name = "debian";
    a.boot.kernel.url = "debian/vmlinuz";
    a.boot.initrds.push_back({"debian/initrd.img", ""});
    a.boot.cmdline_template = "ip=dhcp";
    a.boot.install_configs["user-data"] = "#cloud-config\npassword: {{params.pw}}\n";
    a.boot.install_configs["meta-data"] = "instance-id: {{machine.hostname}}\n";
    a.parameters["pw"] = "s3cret";
    store_.Upsert(a);
    auto root = ArtifactRoot::Open((base_ / "root").string());
    ASSERT_TRUE(root.ok());
    BootHttpOptions opts;
    opts.public_url = "http://192.0.2.1:8080";
    opts.rack = "r1";
    opts.public_configs = {"meta-data"};
    opts.now_unix = [this] { return now_; };
    handler_ = std::make_unique<BootHttpHandler>(store_, events_, *root, ConfigTokenSigner("key", 600), opts);
    peer_.ip = *Ipv4Address::Parse("10.0.0.5");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void Write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

  HttpResponse Get(const std::string& target, const std::string& extra = "") {
    auto req = ParseRequestHead("GET " + target + " HTTP/1.1\r\nHost: h\r\n" + extra + "\r\n");
    EXPECT_TRUE(req.ok()) << target;
    if (!req.ok()) return TextResponse(400, "");
    return handler_->Handle(*req, peer_);
  }
  std::string FileBytes(const HttpResponse& r) {
    if (!r.file) return r.body;
    std::string out(r.file_length, '\0');
    EXPECT_EQ(::pread(r.file->fd.get(), out.data(), out.size(), static_cast<off_t>(r.file_offset)),
              static_cast<ssize_t>(out.size()));
    return out;
  }

  fs::path base_;
  AssignmentStore store_;
  BootEventRecorder events_;
  std::unique_ptr<BootHttpHandler> handler_;
  PeerInfo peer_;
  int64_t now_ = time(nullptr);
};

TEST_F(HandlerTest, KnownMacGetsScriptAndScriptEventIsRecorded) {
  for (const char* mac : {"52:54:00:12:34:56", "52-54-00-12-34-56", "525400123456"}) {
    HttpResponse r = Get(std::string("/ipxe/") + mac);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("#!ipxe\n", 0), 0u);
    EXPECT_NE(r.body.find("kernel http://192.0.2.1:8080/boot/52-54-00-12-34-56/debian/vmlinuz ip=dhcp "
                          "initrd=initrd.img"),
              std::string::npos);
  }
  auto ev = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].stage, BootStage::kScript);
}

// Strict templates at render time: a name only bootd can know about
// ({{env.x}} here) that is not there fails the whole render -- GRUB and
// install configs get a 500 (no partial output), iPXE a script that says
// so and exits; the error boot stage names the variable and the template.
TEST_F(HandlerTest, UnknownVariableAtRenderIsAnErrorNamingItNeverAnEmptyString) {
  Assignment a = *store_.FindByMac(*MacAddress::Parse("52:54:00:12:34:56"));
  a.boot.cmdline_template = "nfsroot={{env.nfs-server}}:/srv";
  a.boot.install_configs["meta-data"] = "instance-id: {{machine.hostname}}\nrole: {{params.role}}\n";
  store_.Upsert(a);
  HttpResponse grub = Get("/grub/52-54-00-12-34-56");
  EXPECT_EQ(grub.status, 500);
  EXPECT_EQ(grub.body.find("nfsroot"), std::string::npos);
  HttpResponse ipxe = Get("/ipxe/52-54-00-12-34-56");
  EXPECT_NE(ipxe.body.find("could not be rendered"), std::string::npos) << ipxe.body;
  EXPECT_EQ(ipxe.body.find("kernel"), std::string::npos) << ipxe.body;
  auto ev = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().stage, BootStage::kError);
  EXPECT_NE(ev.back().detail.find("BootProfile debian: spec.cmdline uses unknown variable {{env.nfs-server}} "
                                  "(bootd's http.environment has no 'nfs-server')"),
            std::string::npos)
      << ev.back().detail;
  HttpResponse meta = Get("/config/52-54-00-12-34-56/meta-data");  // a public config: no token
  EXPECT_EQ(meta.status, 500);
  EXPECT_EQ(meta.body.find("instance-id"), std::string::npos) << meta.body;
}

TEST_F(HandlerTest, UnknownOrBadMacGetsDiscoveryScriptNever500) {
  for (const char* p : {"/ipxe/aa:bb:cc:dd:ee:ff", "/ipxe/not-a-mac", "/ipxe/%41"}) {
    HttpResponse r = Get(p);
    EXPECT_EQ(r.status, 200) << p;
    EXPECT_EQ(r.body.rfind("#!ipxe\necho rackboot: ", 0), 0u) << r.body;
    EXPECT_NE(r.body.find("\nexit\n"), std::string::npos);
  }
  EXPECT_EQ(Get("/grub/aa:bb:cc:dd:ee:ff").status, 404);
}

// bootOnce done (or allowPXE off, no profile): a known machine that may not
// netboot. An iPXE asking anyway is told why and exits to the next boot
// device; the booted callback still counts and carries what bootd served.
TEST_F(HandlerTest, KnownMachineThatMayNotNetbootGetsAnExitScriptAndBootedCarriesTheRequest) {
  Assignment a = *store_.FindByName("lab/node-01");
  a.allow_pxe = false;
  a.boot_once = true;
  a.reprovision = "round-3";
  a.generation = 7;
  store_.Upsert(a);
  HttpResponse r = Get("/ipxe/52:54:00:12:34:56");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("netboot is off for MAC 52:54:00:12:34:56 (lab/node-01)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nexit\n"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("kernel"), std::string::npos) << r.body;
  EXPECT_EQ(Get("/grub/52:54:00:12:34:56").status, 404);
  EXPECT_EQ(Get("/booted/52:54:00:12:34:56").status, 200);
  auto ev = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().stage, BootStage::kBooted);
  EXPECT_EQ(ev.back().reprovision, "round-3");
  EXPECT_EQ(ev.back().generation, 7u);
}

TEST_F(HandlerTest, UnsafeFieldGivesFixedScriptAndErrorEvent) {
  Assignment a = *store_.FindByName("lab/node-01");
  a.boot.cmdline_template = "ip=dhcp {{machine.hostname}}";
  a.hostname = "x && shell";
  store_.Upsert(a);
  HttpResponse r = Get("/ipxe/52:54:00:12:34:56");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("shell"), std::string::npos);
  EXPECT_EQ(r.body.find("kernel"), std::string::npos);
  EXPECT_EQ(events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56")).back().stage, BootStage::kError);
}

TEST_F(HandlerTest, SecretConfigNeedsTokenBoundToMacAndIp) {
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/user-data").status, 403);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/user-data?token=v1.99999999999.00").status, 403);
  ConfigTokenSigner signer("key", 600);
  const std::string tok = signer.Mint(*MacAddress::Parse("52:54:00:12:34:56"), *peer_.ip, time(nullptr));
  HttpResponse ok = Get("/config/52-54-00-12-34-56/user-data?token=" + tok);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "#cloud-config\npassword: \"s3cret\"\n");
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/t/" + tok + "/user-data").status, 200);
  peer_.ip = *Ipv4Address::Parse("10.0.0.99");  // same token, other address
  HttpResponse other = Get("/config/52-54-00-12-34-56/user-data?token=" + tok);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.body.find("s3cret"), std::string::npos);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/meta-data").status, 200);  // public
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/nothing").status, 404);
}

// Values from Kubernetes Secrets (issue 13 step 6): a secret install config
// or a machine with secret parameters is never public, and a secret
// parameter never reaches the unauthenticated script.
TEST_F(HandlerTest, SecretValuesOnlyWithTheMachinesToken) {
  Assignment a = *store_.FindByName("lab/node-01");
  a.boot.install_configs["meta-data"] = "instance-id: {{machine.hostname}} {{params.hash}}\n";
  a.boot.secret_install_configs = {"user-data"};
  a.secret_parameters["hash"] = "HASH-FROM-SECRET";
  a.boot.cmdline_template = "ip=dhcp hash={{params.hash}}";  // the resolver refuses this; bootd renders it empty
  store_.Upsert(a);
  HttpResponse script = Get("/ipxe/52:54:00:12:34:56");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body.find("HASH-FROM-SECRET"), std::string::npos) << script.body;
  // meta-data is listed public, but with secret parameters around it is not.
  HttpResponse meta = Get("/config/52-54-00-12-34-56/meta-data");
  EXPECT_EQ(meta.status, 403);
  EXPECT_EQ(meta.body.find("HASH"), std::string::npos);
  ConfigTokenSigner signer("key", 600);
  const std::string tok = signer.Mint(*MacAddress::Parse("52:54:00:12:34:56"), *peer_.ip, now_);
  HttpResponse with = Get("/config/52-54-00-12-34-56/meta-data?token=" + tok);
  EXPECT_EQ(with.status, 200);
  EXPECT_NE(with.body.find("HASH-FROM-SECRET"), std::string::npos) << with.body;
  // Another machine's token does not open this machine's configs.
  const std::string other = signer.Mint(*MacAddress::Parse("52:54:00:12:34:57"), *peer_.ip, now_);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/user-data?token=" + other).status, 403);

  // A Secret-backed config stays token-only even when an operator lists it public.
  Assignment b = *store_.FindByName("lab/node-01");
  b.secret_parameters.clear();
  b.boot.install_configs["meta-data"] = "instance-id: from-secret\n";
  b.boot.secret_install_configs = {"meta-data"};
  store_.Upsert(b);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/meta-data").status, 403);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/meta-data?token=" + tok).body, "instance-id: from-secret\n");
}

TEST_F(HandlerTest, ScriptCarriesAWorkingConfigToken) {
  Assignment a = *store_.FindByName("lab/node-01");
  a.boot.cmdline_template = "ds=nocloud-net;s={{config_base}}";
  store_.Upsert(a);
  HttpResponse r = Get("/ipxe/52:54:00:12:34:56");
  size_t at = r.body.find("/config/52-54-00-12-34-56/t/");
  ASSERT_NE(at, std::string::npos) << r.body;
  size_t end = r.body.find(' ', at);
  std::string base = r.body.substr(at, end - at);
  EXPECT_EQ(Get(base + "user-data").status, 200) << base;
}

// The script cache (script_cache.h) seen through the handler: a script is
// reused only for the same client address and assignment revision, within
// the cache TTL (60 s here: a tenth of the 600 s token TTL).
class HandlerScriptCacheTest : public HandlerTest {
 protected:
  void SetUp() override {
    HandlerTest::SetUp();
    Assignment a = *store_.FindByName("lab/node-01");
    a.boot.cmdline_template = "ds=nocloud-net;s={{config_base}}";
    store_.Upsert(a);
  }
  static std::string TokenIn(const std::string& script) {
    size_t at = script.find("/t/");
    if (at == std::string::npos) return "";
    return script.substr(at + 3, script.find('/', at + 3) - at - 3);
  }
};

TEST_F(HandlerScriptCacheTest, SameClientWithinTtlGetsTheSameScriptAndAnEvent) {
  const std::string first = Get("/ipxe/52:54:00:12:34:56").body;
  ASSERT_FALSE(TokenIn(first).empty()) << first;
  now_ += 59;
  EXPECT_EQ(Get("/ipxe/52-54-00-12-34-56").body, first);  // other spelling, same MAC
  auto ev = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_EQ(ev.size(), 2u);  // a cached answer is still a boot stage
  EXPECT_EQ(ev[1].stage, BootStage::kScript);
  EXPECT_EQ(ev[1].bytes, first.size());
}

TEST_F(HandlerScriptCacheTest, OtherClientAddressNeverGetsAnotherClientsToken) {
  const std::string tok1 = TokenIn(Get("/ipxe/52:54:00:12:34:56").body);
  peer_.ip = *Ipv4Address::Parse("10.0.0.6");
  const std::string tok2 = TokenIn(Get("/ipxe/52:54:00:12:34:56").body);
  ASSERT_FALSE(tok2.empty());
  EXPECT_NE(tok1, tok2);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/t/" + tok2 + "/user-data").status, 200);
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/t/" + tok1 + "/user-data").status, 403);
  peer_.ip = *Ipv4Address::Parse("10.0.0.5");
  EXPECT_EQ(TokenIn(Get("/ipxe/52:54:00:12:34:56").body), tok1);
}

TEST_F(HandlerScriptCacheTest, ExpiredEntryIsRenderedAgainWithAFreshToken) {
  const std::string tok1 = TokenIn(Get("/ipxe/52:54:00:12:34:56").body);
  now_ += 60;
  const std::string tok2 = TokenIn(Get("/ipxe/52:54:00:12:34:56").body);
  ASSERT_FALSE(tok2.empty());
  EXPECT_NE(tok1, tok2);  // minted 60 s later: another expiry
  EXPECT_EQ(Get("/config/52-54-00-12-34-56/t/" + tok2 + "/user-data").status, 200);
}

TEST_F(HandlerScriptCacheTest, AssignmentChangeIsServedAtOnce) {
  EXPECT_NE(Get("/ipxe/52:54:00:12:34:56").body.find("ds=nocloud-net"), std::string::npos);
  Assignment a = *store_.FindByName("lab/node-01");
  a.boot.cmdline_template = "console=ttyS1";
  store_.Upsert(a);
  const std::string body = Get("/ipxe/52:54:00:12:34:56").body;
  EXPECT_NE(body.find("console=ttyS1"), std::string::npos) << body;
  EXPECT_EQ(body.find("ds=nocloud-net"), std::string::npos);
  // A change to another machine (a new store revision) drops the entry too.
  Assignment other = a;
  other.machine_name = "lab/node-02";
  other.interfaces[0].mac = *MacAddress::Parse("52:54:00:12:34:57");
  store_.Upsert(other);
  a.boot.cmdline_template = "console=ttyS2";
  store_.Upsert(a);
  EXPECT_NE(Get("/ipxe/52:54:00:12:34:56").body.find("console=ttyS2"), std::string::npos);
}

TEST_F(HandlerScriptCacheTest, GrubAndIpxeAreCachedSeparately) {
  EXPECT_EQ(Get("/ipxe/52:54:00:12:34:56").body.rfind("#!ipxe", 0), 0u);
  EXPECT_EQ(Get("/grub/52:54:00:12:34:56").body.rfind("set default=0", 0), 0u);
  EXPECT_EQ(Get("/pxelinux/52:54:00:12:34:56").body.rfind("DEFAULT rackboot", 0), 0u);
  EXPECT_EQ(Get("/ipxe/52:54:00:12:34:56").body.rfind("#!ipxe", 0), 0u);
}

TEST_F(HandlerTest, BootedCallbackAndEventsJson) {
  EXPECT_EQ(Get("/booted/52:54:00:12:34:56").status, 200);
  EXPECT_EQ(Get("/booted/aa:bb:cc:dd:ee:ff").status, 404);
  HttpResponse j = Get("/api/v1/events/52-54-00-12-34-56");
  EXPECT_EQ(j.status, 200);
  EXPECT_NE(j.body.find("\"stage\":\"booted\""), std::string::npos) << j.body;
  EXPECT_NE(j.body.find("\"machine\":\"lab/node-01\""), std::string::npos);
}

TEST_F(HandlerTest, ArtifactsRangesAndConditionals) {
  HttpResponse full = Get("/artifacts/debian/vmlinuz");
  ASSERT_EQ(full.status, 200);
  EXPECT_EQ(FileBytes(full), "KERNEL-BYTES-0123456789");
  std::string etag;
  for (auto& [k, v] : full.headers) {
    if (k == "ETag") etag = v;
  }
  ASSERT_FALSE(etag.empty());
  HttpResponse part = Get("/artifacts/debian/vmlinuz", "Range: bytes=7-11\r\n");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(FileBytes(part), "BYTES");
  EXPECT_EQ(Get("/artifacts/debian/vmlinuz", "Range: bytes=999-\r\n").status, 416);
  EXPECT_EQ(Get("/artifacts/debian/vmlinuz", "If-None-Match: " + etag + "\r\n").status, 304);
  EXPECT_EQ(Get("/artifacts/debian/vmlinuz", "If-None-Match: \"other\"\r\n").status, 200);
  EXPECT_EQ(Get("/artifacts/debian/vmlinuz", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n").status, 304);
  EXPECT_EQ(Get("/artifacts/debian/vmlinuz", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n").status, 200);
  EXPECT_EQ(Get("/artifacts/debian/vmlinuz", "Range: bytes=0-0\r\nIf-Range: \"old\"\r\n").status, 200);
  EXPECT_EQ(Get("/artifacts/inside-link").status, 200);  // symlinks inside the root are fine
  EXPECT_EQ(Get("/artifacts/debian").status, 404);       // directories are not files
}

TEST_F(HandlerTest, BootRouteRecordsKernelAndInitrdStages) {
  HttpResponse k = Get("/boot/52-54-00-12-34-56/debian/vmlinuz");
  ASSERT_TRUE(k.on_complete);
  k.on_complete(k.file_length, 5);
  HttpResponse i = Get("/boot/52-54-00-12-34-56/debian/initrd.img");
  i.on_complete(i.file_length, 1);
  auto ev = events_.EventsFor(*MacAddress::Parse("52:54:00:12:34:56"));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].stage, BootStage::kKernel);
  EXPECT_EQ(ev[0].bytes, 23u);
  EXPECT_EQ(ev[1].stage, BootStage::kInitrd);
}

// UEFI HTTP Boot fetches its boot program from /artifacts/ (no MAC in the
// URL): with a lease lookup the download is the leaseholder's boot_file
// stage; an address without a lease is served and not recorded.
TEST_F(HandlerTest, ArtifactRouteRecordsTheLeaseholdersStages) {
  const MacAddress mac = *MacAddress::Parse("52:54:00:12:34:56");
  auto root = ArtifactRoot::Open((base_ / "root").string());
  ASSERT_TRUE(root.ok());
  BootHttpOptions opts;
  opts.public_url = "http://192.0.2.1:8080";
  const Ipv4Address leased = *peer_.ip;
  opts.mac_for_ip = [mac, leased](Ipv4Address ip) -> std::optional<MacAddress> {
    if (ip == leased) return mac;
    return std::nullopt;
  };
  handler_ = std::make_unique<BootHttpHandler>(store_, events_, *root, ConfigTokenSigner("key", 600), opts);

  HttpResponse boot_program = Get("/artifacts/inside-link");
  ASSERT_TRUE(boot_program.on_complete);
  boot_program.on_complete(boot_program.file_length, 3);
  HttpResponse kernel = Get("/artifacts/debian/vmlinuz");
  ASSERT_TRUE(kernel.on_complete);
  kernel.on_complete(kernel.file_length, 4);
  auto ev = events_.EventsFor(mac);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].stage, BootStage::kBootFile);
  EXPECT_EQ(ev[0].detail, "inside-link");
  EXPECT_EQ(ev[0].machine_name, "lab/node-01");
  EXPECT_EQ(ev[1].stage, BootStage::kKernel);  // the profile's kernel, matched by path

  peer_.ip = *Ipv4Address::Parse("10.0.0.99");  // holds no lease
  HttpResponse anonymous = Get("/artifacts/debian/vmlinuz");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_FALSE(anonymous.on_complete);
  EXPECT_EQ(events_.EventsFor(mac).size(), 2u);
}

TEST_F(HandlerTest, TraversalVariantsNeverReachTheCanary) {
  auto variants = rackboot::testing::TraversalVariants("canary.txt");
  ASSERT_GE(variants.size(), 200u);
  for (const auto& v : variants) {
    auto req = ParseRequestHead("GET " + v + " HTTP/1.1\r\nHost: h\r\n\r\n");
    if (!req.ok()) continue;  // the parser refused it already (e.g. a raw backslash is fine, NUL is not)
    HttpResponse r = handler_->Handle(*req, peer_);
    EXPECT_NE(r.status, 200) << v;
    EXPECT_EQ(FileBytes(r).find(kCanary), std::string::npos) << v;
  }
}

TEST_F(HandlerTest, MethodsAndUnknownRoutes) {
  auto post = ParseRequestHead("POST /artifacts/debian/vmlinuz HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(handler_->Handle(*post, peer_).status, 405);
  auto del = ParseRequestHead("DELETE /ipxe/x HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(handler_->Handle(*del, peer_).status, 405);
  auto head = ParseRequestHead("HEAD /artifacts/debian/vmlinuz HTTP/1.1\r\nHost: h\r\n\r\n");
  HttpResponse h = handler_->Handle(*head, peer_);
  EXPECT_TRUE(h.head_only);
  EXPECT_EQ(h.ContentLength(), 23u);
  EXPECT_EQ(Get("/nope").status, 404);
  EXPECT_EQ(Get("/healthz").status, 200);
}

}  // namespace
}  // namespace rackboot::bootd::http
