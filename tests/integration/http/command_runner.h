#pragma once
// Runs a real client (curl, openssl, sh) with stdout captured, for the HTTP
// integration tests; plus reading a whole file back for byte comparisons.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace rackboot::bootd::http {

struct CommandResult {
  int exit_code = -1;
  std::string out;
};

// Runs argv with stdout captured (stderr to /dev/null unless keep_stderr).
inline CommandResult RunCommand(const std::vector<std::string>& argv, bool keep_stderr = false) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    if (keep_stderr) {
      ::dup2(pipefd[1], 2);
    } else {
      int devnull = ::open("/dev/null", O_WRONLY);
      ::dup2(devnull, 2);
    }
    ::close(pipefd[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  CommandResult r;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string out(std::filesystem::exists(p) ? std::filesystem::file_size(p) : 0, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

}  // namespace rackboot::bootd::http
