#include "controller/k8s/client_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/yaml_config.h"

namespace rackboot::k8s {
namespace {

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rbt-kubeconfig-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

TEST_F(KubeconfigTest, CurrentContextSelectsClusterAndUserWithInlineAndFileData) {
  Write("client.crt", "CERT-FROM-FILE");
  std::string path = Write("config", R"(
apiVersion: v1
kind: Config
current-context: admin@test
clusters:
- name: other
  cluster: {server: "https://192.0.2.1:6443"}
- name: test
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: Q0EtUEVN
contexts:
- name: admin@test
  context: {cluster: test, user: admin}
users:
- name: admin
  user:
    client-certificate: client.crt
    client-key-data: S0VZ
)");
  ClientConfig c = LoadKubeconfig(path);
  EXPECT_EQ(c.server, "https://127.0.0.1:6443");
  EXPECT_EQ(c.ca_pem, "CA-PEM");
  EXPECT_EQ(c.client_cert_pem, "CERT-FROM-FILE");
  EXPECT_EQ(c.client_key_pem, "KEY");
  EXPECT_TRUE(c.token.empty());
}

TEST_F(KubeconfigTest, BearerToken) {
  std::string path = Write("config", R"(
current-context: c
clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {token: abc.def}}]
)");
  EXPECT_EQ(LoadKubeconfig(path).token, "abc.def");
}

TEST_F(KubeconfigTest, MissingContextNamesTheField) {
  std::string path = Write("config", R"(
current-context: nope
clusters: []
contexts: [{name: c, context: {cluster: k}}]
)");
  try {
    LoadKubeconfig(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("contexts"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
}

TEST_F(KubeconfigTest, InClusterReadsServiceAccountAndEnvironment) {
  Write("ca.crt", "CA");
  Write("token", "tok-1\n");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  ClientConfig c = InClusterConfig(dir_.string());
  EXPECT_EQ(c.server, "https://10.96.0.1:443");
  EXPECT_EQ(c.ca_pem, "CA");
  EXPECT_EQ(c.token_file, (dir_ / "token").string());
  unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_THROW(InClusterConfig(dir_.string()), ConfigError);
}

TEST_F(KubeconfigTest, TokenFileIsReReadAfterRotation) {
  std::string path = Write("token", "first\n");
  TokenFileSource source(path, 0);  // no caching: re-read every call
  EXPECT_EQ(source.Token(), "first");
  Write("token", "second");
  EXPECT_EQ(source.Token(), "second");
  std::filesystem::remove(path);
  EXPECT_EQ(source.Token(), "second") << "keeps the last good token";
}

}  // namespace
}  // namespace rackboot::k8s
