#include "tests/integration/controller/kube_test_env.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/test_paths.h"

namespace rackboot::testing {
namespace {

std::string TempDir(const std::string& tag) {
  static int seq = 0;
  auto p = std::filesystem::temp_directory_path() /
           ("rbt-ctl-" + std::to_string(getpid()) + "-" + tag + "-" + std::to_string(++seq));
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace

std::string Kubeconfig() {
  const char* k = std::getenv("KUBECONFIG");
  return k ? k : "";
}

CommandResult Kubectl(const std::string& args, const std::string& stdin_text) {
  std::string cmd = "kubectl --kubeconfig '" + Kubeconfig() + "' " + args;
  std::string input_file;
  if (!stdin_text.empty()) {
    input_file = TempDir("stdin") + "/in.yaml";
    std::ofstream(input_file) << stdin_text;
    cmd += " < '" + input_file + "'";
  }
  cmd += " 2>&1";
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!input_file.empty()) std::filesystem::remove_all(std::filesystem::path(input_file).parent_path());
  return r;
}

web::json::value KubectlJson(const std::string& args) {
  CommandResult r = Kubectl(args + " -o json");
  if (r.exit_code != 0) return web::json::value::null();
  std::error_code ec;
  auto v = web::json::value::parse(r.output, ec);
  return ec ? web::json::value::null() : v;
}

bool WaitUntil(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

TestNamespace::TestNamespace(const std::string& tag) {
  name_ = "rbt-" + tag + "-" + std::to_string(getpid());
  Kubectl("create namespace " + name_);
}

TestNamespace::~TestNamespace() {
  Kubectl("delete namespace " + name_ + " --wait=false");
}

ControllerProcess::ControllerProcess(const std::string& name, const std::string& config_yaml) {
  dir_ = TempDir(name);
  const std::string config = dir_ + "/controller.yaml";
  std::ofstream(config) << "kubeconfig: " << Kubeconfig() << "\n" << config_yaml;
  const std::string log = dir_ + "/controller.log";
  const std::string binary = BinaryPath("controller/rackboot-controller");
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    execl(binary.c_str(), binary.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
}

ControllerProcess::~ControllerProcess() {
  Kill(SIGTERM);
  std::filesystem::remove_all(dir_);
}

int ControllerProcess::Kill(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool ControllerProcess::Running() {
  if (pid_ <= 0) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string ControllerProcess::Log() const {
  std::ifstream in(dir_ + "/controller.log");
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

TestPki::TestPki(const std::string& tag) : dir_(TempDir(tag)) {
  const std::string cmd = SourcePath("tests/integration/grpc/make_test_pki.sh") + " " + dir_ + "/pki >/dev/null 2>&1";
  ok_ = std::system(cmd.c_str()) == 0;
}

TestPki::~TestPki() {
  std::filesystem::remove_all(dir_);
}

std::string MachineYaml(const std::string& ns, const std::string& name, const std::string& mac,
                        const std::string& profile, const std::string& rack, const std::string& static_ip) {
  std::string y = "apiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: " + name +
                  "\n  namespace: " + ns + "\nspec:\n  rack: " + rack + "\n  interfaces:\n  - mac: \"" + mac + "\"\n";
  if (!static_ip.empty()) y += "    ipv4: " + static_ip + "\n";
  if (!profile.empty()) y += "  bootProfileRef:\n    name: " + profile + "\n";
  return y;
}

std::string ProfileYaml(const std::string& ns, const std::string& name, const std::string& cmdline) {
  return "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  kernel:\n    url: http://192.0.2.10/vmlinuz\n  cmdline: \"" + cmdline + "\"\n";
}

std::string StatusField(const web::json::value& m, const char* field) {
  if (!m.is_object() || !m.has_field("status") || !m.at("status").has_field(field)) return "";
  const auto& v = m.at("status").at(field);
  return v.is_string() ? v.as_string() : v.serialize();
}

namespace {
const web::json::value* FindCond(const web::json::value& m, const char* type) {
  if (!m.is_object() || !m.has_field("status") || !m.at("status").has_field("conditions")) return nullptr;
  for (const auto& c : m.at("status").at("conditions").as_array()) {
    if (c.has_field("type") && c.at("type").as_string() == type) return &c;
  }
  return nullptr;
}
std::string CondField(const web::json::value& m, const char* type, const char* f) {
  const auto* c = FindCond(m, type);
  return c && c->has_field(f) ? c->at(f).as_string() : "";
}
}  // namespace

std::string ConditionStatus(const web::json::value& m, const char* type) {
  return CondField(m, type, "status");
}
std::string ConditionReason(const web::json::value& m, const char* type) {
  return CondField(m, type, "reason");
}
std::string ConditionMessage(const web::json::value& m, const char* type) {
  return CondField(m, type, "message");
}

std::string TestControllerConfig(const std::string& ns, const std::string& pool_end) {
  return "namespace: " + ns +
         "\n"
         "leaderElection:\n"
         "  enabled: true\n"
         "  leaseName: rackboot-controller\n"
         "  leaseNamespace: " +
         ns +
         "\n"
         "  leaseDurationSeconds: 4\n"
         "  renewDeadlineSeconds: 3\n"
         "  retryPeriodSeconds: 1\n"
         "racks:\n"
         "- name: rack-a\n"
         "  subnet: 10.0.0.0/24\n"
         "  pool: {start: 10.0.0.100, end: " +
         pool_end + "}\n";
}

}  // namespace rackboot::testing
