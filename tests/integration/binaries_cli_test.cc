// Runs the real bootd and rackboot-controller binaries: --help, --version,
// config errors that name file, line and field.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/test_paths.h"

namespace {

using rackboot::testing::BinaryPath;
using rackboot::testing::SourcePath;

struct RunResult {
  int exit_code;
  std::string output;
};

RunResult RunCommand(const std::string& cmd) {
  RunResult r{-1, ""};
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 512> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::string kBootd = BinaryPath("bootd/bootd");
const std::string kController = BinaryPath("controller/rackboot-controller");

TEST(BinariesCliTest, HelpAndVersion) {
  for (const std::string& bin : {kBootd, kController}) {
    RunResult help = RunCommand(bin + " --help");
    EXPECT_EQ(help.exit_code, 0) << bin;
    EXPECT_NE(help.output.find("--config FILE"), std::string::npos) << help.output;
    RunResult version = RunCommand(bin + " --version");
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_NE(version.output.find("0.1.0"), std::string::npos) << version.output;
  }
}

TEST(BinariesCliTest, BootdBadConfigNamesFileLineAndField) {
  const std::string path = SourcePath("tests/testdata/config/bootd-bad-mode.yaml");
  RunResult r = RunCommand(kBootd + " --config " + path + " --check-config");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(path + ":9:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("field 'dhcp.pools[0].rangeEnd'"), std::string::npos) << r.output;
}

TEST(BinariesCliTest, BootdUnknownFieldNamesIt) {
  RunResult r = RunCommand(kBootd + " --config " + SourcePath("tests/testdata/config/bootd-typo.yaml"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bootd-typo.yaml:4:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("field 'tftp.blocksize': unknown field"), std::string::npos) << r.output;
}

TEST(BinariesCliTest, MissingConfigFileIsAnError) {
  RunResult r = RunCommand(kBootd + " --config /nonexistent/bootd.yaml");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/nonexistent/bootd.yaml: cannot open file"), std::string::npos) << r.output;
  RunResult c = RunCommand(kController + " --config /nonexistent/c.yaml");
  EXPECT_NE(c.exit_code, 0);
}

// Standalone: --check-config also loads the manifest directory; a template
// naming a variable bootd does not provide is a problem with file, line,
// field and the variable, and the exit code says so.
TEST(BinariesCliTest, BootdCheckConfigReportsUnknownTemplateVariables) {
  const std::string dir = ::testing::TempDir() + "/rb-check-config-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir + "/manifests");
  std::ofstream(dir + "/manifests/p.yaml") << "apiVersion: rackboot.io/v1alpha1\nkind: BootProfile\n"
                                              "metadata: {name: typo}\nspec:\n  kernel: {path: vmlinuz}\n"
                                              "  cmdline: hostname={{hostname}}\n";
  std::ofstream(dir + "/bootd.yaml") << "rack: rack-a\nstateDir: " << dir << "\nmanifestDir: " << dir
                                     << "/manifests\nhttp:\n  listen: 127.0.0.1:0\n  publicUrl: http://10.0.0.1\n";
  RunResult r = RunCommand(kBootd + " --check-config --config " + dir + "/bootd.yaml");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("field 'spec.cmdline': " + dir +
                          "/manifests/p.yaml:1: BootProfile typo: spec.cmdline uses unknown variable {{hostname}} "
                          "(did you mean {{machine.hostname}}?); profile skipped"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("manifests: files=1 profiles=0 machines=0 problems=1"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

// bootd's example names the host's eth0 and directories, so it is checked
// where they exist: tests/integration/bootd/check_config_test.cc.
TEST(BinariesCliTest, GoodConfigsCheckOk) {
  RunResult c = RunCommand(kController + " --check-config --config " + SourcePath("deploy/examples/controller.yaml"));
  EXPECT_EQ(c.exit_code, 0) << c.output;
}

}  // namespace
