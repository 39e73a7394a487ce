#pragma once
// Helpers for controller tests against the real test apiserver (fixture
// "k8s"): kubectl with the fixture's KUBECONFIG, a namespace per test, and
// rackboot-controller processes started with a generated config.

#include <cpprest/json.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

namespace rackboot::testing {

std::string Kubeconfig();  // $KUBECONFIG (set by ctest)

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};
CommandResult Kubectl(const std::string& args, const std::string& stdin_text = "");
// kubectl get ... -o json, parsed; null on failure.
web::json::value KubectlJson(const std::string& args);

// Polls `done` every 100 ms until true or `limit` passes.
bool WaitUntil(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(60));

// A namespace deleted (best effort) when the object dies.
class TestNamespace {
 public:
  explicit TestNamespace(const std::string& tag);
  ~TestNamespace();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// rackboot-controller in a child process, stderr in a log file.
class ControllerProcess {
 public:
  // `extra_yaml` is appended to a config with the fixture kubeconfig.
  ControllerProcess(const std::string& name, const std::string& config_yaml);
  ~ControllerProcess();
  // Sends `sig` and reaps: the exit code, 128 + the signal that ended it,
  // or -1 when not running.
  int Kill(int sig);
  bool Running();
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

// A temporary directory holding the controller <-> bootd test PKI
// (tests/integration/grpc/make_test_pki.sh: ca.pem, controller.pem/.key,
// bootd-rack-a.pem/.key, ...) in pki/; removed on destruction. Tests keep
// their other scratch files in dir() too.
class TestPki {
 public:
  explicit TestPki(const std::string& tag);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;
  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string File(const std::string& name) const { return dir_ + "/pki/" + name; }

 private:
  std::string dir_;
  bool ok_ = false;
};

// Machine helpers.
std::string MachineYaml(const std::string& ns, const std::string& name, const std::string& mac,
                        const std::string& profile, const std::string& rack = "rack-a",
                        const std::string& static_ip = "");
std::string ProfileYaml(const std::string& ns, const std::string& name, const std::string& cmdline);
std::string StatusField(const web::json::value& machine, const char* field);
// The named condition's status/reason ("" if absent).
std::string ConditionStatus(const web::json::value& machine, const char* type);
std::string ConditionReason(const web::json::value& machine, const char* type);
std::string ConditionMessage(const web::json::value& machine, const char* type);

// A controller config for tests in namespace `ns`: short leader-election
// timings (Lease in `ns`) and rack-a with the pool 10.0.0.100-`pool_end`.
std::string TestControllerConfig(const std::string& ns, const std::string& pool_end = "10.0.0.109");

}  // namespace rackboot::testing
