#include "bootd/config/host_checks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "bootd/config/serving_summary.h"

namespace rackboot::bootd {
namespace {

// The host as the checks see it, described by the test.
class FakeHost : public HostFacts {
 public:
  std::map<std::string, InterfaceFacts> interfaces;
  std::set<std::string> dirs{"/", "/srv", "/var", "/var/lib"};
  std::set<std::string> files;
  std::set<std::string> read_only;
  std::string bad_tls;  // a cert file whose pair does not load

  void AddInterface(const std::string& name, const std::string& address_with_prefix) {
    InterfaceFacts& f = interfaces[name];
    f.name = name;
    if (!address_with_prefix.empty()) f.ipv4.push_back(*Ipv4Prefix::Parse(address_with_prefix));
  }
  std::vector<std::string> InterfaceNames() const override {
    std::vector<std::string> n;
    for (const auto& [name, f] : interfaces) n.push_back(name);
    return n;
  }
  std::optional<InterfaceFacts> Interface(const std::string& name) const override {
    auto it = interfaces.find(name);
    return it == interfaces.end() ? std::nullopt : std::optional<InterfaceFacts>(it->second);
  }
  bool IsLocalIpv4(Ipv4Address a) const override {
    for (const auto& [name, f] : interfaces) {
      for (const auto& p : f.ipv4) {
        if (p.network == a) return true;
      }
    }
    return false;
  }
  PathKind Kind(const std::string& path) const override {
    if (dirs.count(path)) return PathKind::kDirectory;
    if (files.count(path)) return PathKind::kRegularFile;
    return PathKind::kMissing;
  }
  bool Writable(const std::string& path) const override { return read_only.count(path) == 0; }
  Status TlsKeyPair(const std::string& cert, const std::string&) const override {
    return cert == bad_tls ? Status(Error{"certificate " + cert + ": PEM lib"}) : Status::Ok();
  }
  Status PemCertificates(const std::string&) const override { return Status::Ok(); }
  std::optional<int64_t> NeighbourTableLimit() const override { return neighbour_limit; }
  std::optional<int64_t> neighbour_limit;  // unreadable unless a test sets it
};

class HostChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host.AddInterface("lo", "127.0.0.1/8");
    host.AddInterface("eth0", "10.77.0.1/24");
    host.dirs.insert({"/srv/tftp", "/srv/artifacts", "/etc/manifests"});
    host.files.insert({"/srv/tftp/undionly.kpxe", "/srv/tftp/ipxe.efi", "/srv/tftp/ipxe-arm64.efi",
                       "/srv/artifacts/ipxe.efi", "/srv/artifacts/ipxe-arm64.efi"});
  }
  ~HostChecksTest() override {
    if (!path_.empty()) std::remove(path_.c_str());
  }

  // Loads `yaml` from a file (LoadBootdConfig takes a path) and checks it.
  std::vector<ConfigFinding> Check(const std::string& yaml) {
    char name[] = "/tmp/host-checks-XXXXXX";
    int fd = mkstemp(name);
    close(fd);
    path_ = name;
    std::ofstream(path_) << yaml;
    config = LoadBootdConfig(path_);
    return CheckConfigOnHost(config, host);
  }

  static const ConfigFinding* Find(const std::vector<ConfigFinding>& fs, const std::string& field) {
    for (const auto& f : fs) {
      if (f.field == field) return &f;
    }
    return nullptr;
  }

  FakeHost host;
  BootdConfig config;
  std::string path_;
};

const char* kGood = R"(rack: rack-a
stateDir: /var/lib/rackboot
manifestDir: /etc/manifests
dhcp:
  mode: server
  interface: eth0
  serverAddress: 10.77.0.1
  pools:
    - subnet: 10.77.0.0/24
      rangeStart: 10.77.0.100
      rangeEnd: 10.77.0.199
tftp:
  root: /srv/tftp
http:
  listen: 0.0.0.0:8080
  publicUrl: http://10.77.0.1:8080
  artifactRoot: /srv/artifacts
)";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST_F(HostChecksTest, ConsistentConfigHasNoFindings) {
  auto fs = Check(kGood);
  for (const auto& f : fs) ADD_FAILURE() << FormatFinding(config, f);
}

TEST_F(HostChecksTest, MissingInterfaceIsAnErrorListingTheHostsInterfaces) {
  auto fs = Check(Replace(kGood, "interface: eth0", "interface: eth9"));
  ASSERT_TRUE(HasErrors(fs));
  const ConfigFinding* f = Find(fs, "dhcp.interface");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->text.find("no interface eth9"), std::string::npos) << f->text;
  EXPECT_NE(f->text.find("eth0, lo"), std::string::npos) << f->text;
  // Named at the line the field is on.
  EXPECT_NE(FormatFinding(config, *f).find(path_ + ":6:"), std::string::npos) << FormatFinding(config, *f);
}

TEST_F(HostChecksTest, ServerAddressNotOnTheInterfaceIsAnError) {
  auto fs = Check(Replace(kGood, "serverAddress: 10.77.0.1", "serverAddress: 10.99.0.1"));
  const ConfigFinding* f = Find(fs, "dhcp.serverAddress");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, ConfigFinding::Severity::kError);
  EXPECT_NE(f->text.find("not an address of eth0 (it has 10.77.0.1/24)"), std::string::npos) << f->text;
  EXPECT_NE(FormatFinding(config, *f).find(path_ + ":7:"), std::string::npos);
}

TEST_F(HostChecksTest, ServerAddressAndPublicUrlAreDerivedWhenLeftOut) {
  std::string yaml = Replace(kGood, "  serverAddress: 10.77.0.1\n", "");
  yaml = Replace(yaml, "  publicUrl: http://10.77.0.1:8080\n", "");
  auto fs = Check(yaml);
  EXPECT_FALSE(HasErrors(fs));
  EXPECT_EQ(config.dhcp.server_address.ToString(), "10.77.0.1");
  EXPECT_EQ(config.http.public_url, "http://10.77.0.1:8080");
  ASSERT_NE(Find(fs, "dhcp.serverAddress"), nullptr);
  EXPECT_EQ(Find(fs, "dhcp.serverAddress")->severity, ConfigFinding::Severity::kDerived);
}

TEST_F(HostChecksTest, PublicUrlWithoutAnythingToDeriveItFromIsAnError) {
  std::string yaml = Replace(kGood, "  publicUrl: http://10.77.0.1:8080\n", "");
  const size_t dhcp = yaml.find("dhcp:"), tftp = yaml.find("tftp:");
  yaml.erase(dhcp, tftp - dhcp);  // no DHCP, so no serverAddress either
  auto fs = Check(yaml);
  const ConfigFinding* f = Find(fs, "http.publicUrl");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, ConfigFinding::Severity::kError);
  // Not written: named at its section (its first line, 7).
  EXPECT_NE(FormatFinding(config, *f).find(path_ + ":7:"), std::string::npos) << FormatFinding(config, *f);
}

TEST_F(HostChecksTest, PoolOffTheInterfaceSubnetIsALoudWarning) {
  std::string yaml = Replace(kGood, "10.77.0.0/24", "10.88.0.0/24");
  yaml = Replace(yaml, "rangeStart: 10.77.0.100", "rangeStart: 10.88.0.100");
  yaml = Replace(yaml, "rangeEnd: 10.77.0.199", "rangeEnd: 10.88.0.199");
  auto fs = Check(yaml);
  EXPECT_FALSE(HasErrors(fs));
  const ConfigFinding* f = Find(fs, "dhcp.pools");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, ConfigFinding::Severity::kWarning);
  EXPECT_NE(f->text.find("only requests relayed"), std::string::npos) << f->text;
}

TEST_F(HostChecksTest, PoolsBiggerThanTheKernelsNeighbourTableAreAWarning) {
  const std::string big_rack = Replace(
      Replace(Replace(kGood, "10.77.0.0/24", "10.77.0.0/16"), "rangeStart: 10.77.0.100", "rangeStart: 10.77.1.0"),
      "rangeEnd: 10.77.0.199", "rangeEnd: 10.77.4.231");  // 1,000 addresses
  host.AddInterface("eth0", "10.77.0.1/16");
  host.interfaces["eth0"].ipv4.erase(host.interfaces["eth0"].ipv4.begin());  // only the /16

  host.neighbour_limit = 1024;  // Linux's default
  auto fs = Check(big_rack);
  EXPECT_FALSE(HasErrors(fs));
  const ConfigFinding* f = Find(fs, "dhcp.pools");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, ConfigFinding::Severity::kWarning);
  EXPECT_NE(f->text.find("1000 addresses"), std::string::npos) << f->text;
  EXPECT_NE(f->text.find("gc_thresh3 to at least 2000"), std::string::npos) << f->text;

  host.neighbour_limit = 2000;  // raised as the warning says
  EXPECT_EQ(Find(Check(big_rack), "dhcp.pools"), nullptr);
  host.neighbour_limit.reset();  // not readable here (a lab's namespace): nothing to say
  EXPECT_EQ(Find(Check(big_rack), "dhcp.pools"), nullptr);
  host.neighbour_limit = 1024;  // the shipped /24's 100 addresses fit
  EXPECT_EQ(Find(Check(kGood), "dhcp.pools"), nullptr);
}

TEST_F(HostChecksTest, MissingDirectoriesAreErrors) {
  host.dirs.erase("/srv/tftp");
  host.dirs.erase("/etc/manifests");
  auto fs = Check(kGood);
  ASSERT_NE(Find(fs, "tftp.root"), nullptr);
  EXPECT_NE(Find(fs, "tftp.root")->text.find("/srv/tftp does not exist"), std::string::npos);
  ASSERT_NE(Find(fs, "manifestDir"), nullptr);
  EXPECT_EQ(Find(fs, "manifestDir")->severity, ConfigFinding::Severity::kError);
}

TEST_F(HostChecksTest, StateDirIsCreatedButItsAncestorMustBeWritable) {
  EXPECT_FALSE(HasErrors(Check(kGood)));  // /var/lib/rackboot missing, /var/lib writable
  host.read_only.insert("/var/lib");
  auto fs = Check(kGood);
  const ConfigFinding* f = Find(fs, "dhcp.leases.path");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->text.find("/var/lib is not writable"), std::string::npos) << f->text;
}

TEST_F(HostChecksTest, DefaultTftpBootFilesAreNotOfferedWhenTftpIsOff) {
  auto fs = Check(Replace(kGood, "tftp:\n  root: /srv/tftp\n", ""));
  EXPECT_FALSE(HasErrors(fs));
  EXPECT_EQ(config.dhcp.boot_files.count("x86_64-bios"), 0u);
  EXPECT_EQ(config.dhcp.boot_files.count("x86_64-uefi-http"), 1u);  // HTTP still serves it
  ASSERT_NE(Find(fs, "dhcp.bootFiles"), nullptr);
  EXPECT_NE(Find(fs, "dhcp.bootFiles")->text.find("x86_64-bios"), std::string::npos);
}

TEST_F(HostChecksTest, ABootFileTheOperatorNamedButNothingServesIsAnError) {
  std::string yaml = Replace(kGood, "tftp:\n  root: /srv/tftp\n", "");
  yaml = Replace(yaml, "  pools:", "  bootFiles:\n    x86_64-bios: undionly.kpxe\n  pools:");
  auto fs = Check(yaml);
  const ConfigFinding* f = Find(fs, "dhcp.bootFiles.x86_64-bios");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, ConfigFinding::Severity::kError);
  EXPECT_NE(f->text.find("tftp is off"), std::string::npos) << f->text;
}

TEST_F(HostChecksTest, ProxyModeThatOffersNothingIsAnError) {
  std::string yaml = Replace(kGood, "mode: server", "mode: proxy");
  yaml = Replace(yaml, "tftp:\n  root: /srv/tftp\n", "");
  yaml = yaml.substr(0, yaml.find("http:"));
  auto fs = Check(yaml);
  const ConfigFinding* f = Find(fs, "dhcp.bootFiles");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, ConfigFinding::Severity::kError);
}

TEST_F(HostChecksTest, BootFileMissingFromTheTftpRootIsAWarning) {
  host.files.erase("/srv/tftp/undionly.kpxe");
  auto fs = Check(kGood);
  EXPECT_FALSE(HasErrors(fs));
  const ConfigFinding* f = Find(fs, "dhcp.bootFiles.x86_64-bios");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->text.find("undionly.kpxe is not in tftp.root /srv/tftp"), std::string::npos) << f->text;
}

TEST_F(HostChecksTest, ListenOnAnAddressThisHostDoesNotHaveIsAnError) {
  auto fs = Check(Replace(kGood, "listen: 0.0.0.0:8080", "listen: 10.1.2.3:8080"));
  ASSERT_NE(Find(fs, "http.listen"), nullptr);
  EXPECT_NE(Find(fs, "http.listen")->text.find("10.1.2.3 is not an address of this host"), std::string::npos);
}

TEST_F(HostChecksTest, BadTlsPairIsAnError) {
  host.bad_tls = "/etc/tls.crt";
  auto fs = Check(std::string(kGood) +
                  "  tlsListen: 0.0.0.0:8443\n  tlsCertFile: /etc/tls.crt\n  tlsKeyFile: /etc/tls.key\n");
  ASSERT_NE(Find(fs, "http.tlsCertFile"), nullptr);
  EXPECT_NE(Find(fs, "http.tlsCertFile")->text.find("/etc/tls.crt"), std::string::npos);
}

TEST_F(HostChecksTest, SummarySaysWhatIsServed) {
  ASSERT_FALSE(HasErrors(Check(kGood)));
  const std::string s = DescribeServing(config);
  EXPECT_NE(s.find("dhcp: server on eth0, server address 10.77.0.1"), std::string::npos) << s;
  EXPECT_NE(s.find("pool 10.77.0.0/24: 10.77.0.100-10.77.0.199"), std::string::npos) << s;
  EXPECT_NE(s.find("boot file x86_64-bios: tftp undionly.kpxe"), std::string::npos) << s;
  EXPECT_NE(s.find("boot file x86_64-uefi-http: http://10.77.0.1:8080/artifacts/ipxe.efi"), std::string::npos) << s;
  EXPECT_NE(s.find("machines: standalone, manifests in /etc/manifests"), std::string::npos) << s;
}

}  // namespace
}  // namespace rackboot::bootd
