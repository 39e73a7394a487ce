#include "bootd/state_dir/prepare_state_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "common/log.h"

namespace rackboot::bootd::state_dir {
namespace {

constexpr const char* kUsage =
    "Usage: bootd prepare-state-dir --owner UID[:GID] DIR\n"
    "\n"
    "Makes DIR and everything below it owned by UID:GID (GID defaults to UID),\n"
    "so a non-root bootd can write its lease journal, assignment snapshot and\n"
    "admin socket there. Symbolic links are changed themselves, never their\n"
    "targets; other file systems below DIR are left alone. Needs CAP_CHOWN.\n"
    "The Helm chart runs it in bootd's init container (docs/cluster.md).\n";

bool ParseId(std::string_view text, unsigned long* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc{} && end == text.data() + text.size() && *out <= 0xfffffffeUL;
}

std::string SystemError(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

// lchown()s one entry when its owner or group differs.
Result<bool> Own(const std::string& path, dev_t device, Owner owner, bool* other_fs) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Error{SystemError("cannot stat", path, errno)};
  *other_fs = st.st_dev != device;
  if (*other_fs || (st.st_uid == owner.uid && st.st_gid == owner.gid)) return false;
  if (::lchown(path.c_str(), owner.uid, owner.gid) != 0) return Error{SystemError("cannot chown", path, errno)};
  return true;
}

}  // namespace

Result<Owner> ParseOwner(std::string_view text) {
  const size_t colon = text.find(':');
  unsigned long uid = 0, gid = 0;
  const std::string_view uid_text = text.substr(0, colon);
  const std::string_view gid_text = colon == std::string_view::npos ? uid_text : text.substr(colon + 1);
  if (!ParseId(uid_text, &uid) || !ParseId(gid_text, &gid)) {
    return Error{"--owner: '" + std::string(text) + "' is not UID or UID:GID (numbers)"};
  }
  return Owner{static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
}

Result<PrepareReport> PrepareStateDir(const std::string& dir, Owner owner) {
  struct stat top {};
  if (::lstat(dir.c_str(), &top) != 0) return Error{SystemError("cannot stat", dir, errno)};
  if (!S_ISDIR(top.st_mode)) return Error{"not a directory: " + dir};
  PrepareReport report;
  bool other_fs = false;
  auto changed = Own(dir, top.st_dev, owner, &other_fs);
  if (!changed.ok()) return changed.error();
  report.entries = 1;
  report.changed = *changed ? 1 : 0;
  std::error_code ec;
  // Symlinks are not followed (the iterator's default): a link in a hostPath
  // must not hand its target to the user.
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string path = it->path().string();
    auto c = Own(path, top.st_dev, owner, &other_fs);
    if (!c.ok()) return c.error();
    if (other_fs) {
      it.disable_recursion_pending();
      continue;
    }
    ++report.entries;
    if (*c) ++report.changed;
  }
  if (ec) return Error{"cannot read " + dir + " (below it): " + ec.message()};
  return report;
}

int RunPrepareStateDirCommand(int argc, char** argv) {
  std::string dir, owner_text;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--owner" && i + 1 < argc) {
      owner_text = argv[++i];
    } else if (dir.empty() && !arg.empty() && arg[0] != '-') {
      dir = arg;
    } else {
      std::fprintf(stderr, "bootd prepare-state-dir: unexpected argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (dir.empty() || owner_text.empty()) {
    std::fprintf(stderr, "bootd prepare-state-dir: needs --owner and a directory\n%s", kUsage);
    return 2;
  }
  auto owner = ParseOwner(owner_text);
  if (!owner.ok()) {
    std::fprintf(stderr, "bootd prepare-state-dir: %s\n", owner.error().message.c_str());
    return 2;
  }
  auto report = PrepareStateDir(dir, *owner);
  if (!report.ok()) {
    log::Error("bootd", "cannot prepare the state directory", {{"dir", dir}, {"error", report.error().message}});
    return 1;
  }
  log::Info("bootd", "state directory prepared",
            {{"dir", dir},
             {"owner", std::to_string(owner->uid) + ":" + std::to_string(owner->gid)},
             {"entries", report->entries},
             {"changed", report->changed}});
  return 0;
}

}  // namespace rackboot::bootd::state_dir
