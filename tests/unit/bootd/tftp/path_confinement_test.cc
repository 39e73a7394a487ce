#include "bootd/tftp/path_confinement.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/unit/bootd/tftp/traversal_variants.h"

namespace rackboot::bootd::tftp {
namespace {

std::string Norm(std::string_view s) {
  auto r = NormalizeRequestPath(s);
  return r.ok() ? *r : "ERR";
}

TEST(NormalizeRequestPathTest, MapsNamesInsideTheRoot) {
  EXPECT_EQ(Norm("pxelinux.0"), "pxelinux.0");
  EXPECT_EQ(Norm("/pxelinux.cfg/default"), "pxelinux.cfg/default");  // absolute = from the root
  EXPECT_EQ(Norm("//grub.cfg-01-aa"), "grub.cfg-01-aa");
  EXPECT_EQ(Norm("boot\\x86\\wdsnbp.com"), "boot/x86/wdsnbp.com");
  EXPECT_EQ(Norm("./a/./b//c/"), "a/b/c");
  EXPECT_EQ(Norm("....//x"), "..../x");  // four dots is a name, not a step up
  EXPECT_EQ(Norm("%2e%2e/x"), "%2e%2e/x");
  EXPECT_EQ(Norm(std::string(1024, 'a')), std::string(1024, 'a'));
}

TEST(NormalizeRequestPathTest, RefusesTraversalAndJunk) {
  for (const char* s : {"", "/", ".", "./", "..", "../x", "a/../b", "a/..", "..\\x", "a\\..\\..\\b", "/../etc/passwd",
                        "a\nb", "a\x7f", "tab\tname"}) {
    EXPECT_EQ(Norm(s), "ERR") << s;
  }
  EXPECT_EQ(Norm(std::string("a\0b", 3)), "ERR");
  EXPECT_EQ(Norm(std::string(1025, 'a')), "ERR");
  EXPECT_EQ(Norm(std::string(65535, 'a')), "ERR");  // a 64 KiB name
}

class ConfinementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rbt-tftp-confine-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    testing::MakeTraversalLab(base_);
    root_fd_ = ::open((base_ + "/tftp").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    ::close(root_fd_);
    std::filesystem::remove_all(base_);
  }
  // Content served for `name`, or nullopt when refused.
  std::optional<std::string> Serve(const std::string& name) {
    auto rel = NormalizeRequestPath(name);
    if (!rel.ok()) return std::nullopt;
    ConfinedFile f;
    OpenFailure why;
    if (!OpenConfined(root_fd_, *rel, &f, &why)) return std::nullopt;
    std::string content(f.size, '\0');
    EXPECT_EQ(::pread(f.fd, content.data(), content.size(), 0), static_cast<ssize_t>(f.size));
    ::close(f.fd);
    return content;
  }
  std::string base_;
  int root_fd_ = -1;
};

TEST_F(ConfinementTest, ServesFilesAndInnerSymlinks) {
  EXPECT_EQ(Serve("ok.txt"), "inside");
  EXPECT_EQ(Serve("/ok.txt"), "inside");
  EXPECT_EQ(Serve("inner-link"), "inside");
}

TEST_F(ConfinementTest, NotFoundAndNonRegularFiles) {
  ConfinedFile f;
  OpenFailure why;
  EXPECT_FALSE(OpenConfined(root_fd_, "missing", &f, &why));
  EXPECT_EQ(why.reason, PathRefusal::kNotFound);
  ::mkdir((base_ + "/tftp/dir").c_str(), 0755);
  EXPECT_FALSE(OpenConfined(root_fd_, "dir", &f, &why));
  EXPECT_EQ(why.reason, PathRefusal::kNotRegularFile);
  ::mkfifo((base_ + "/tftp/fifo").c_str(), 0644);
  EXPECT_FALSE(OpenConfined(root_fd_, "fifo", &f, &why));  // and does not block
  EXPECT_EQ(why.reason, PathRefusal::kNotRegularFile);
  EXPECT_FALSE(OpenConfined(root_fd_, "link-out", &f, &why));
  EXPECT_EQ(why.reason, PathRefusal::kAccessDenied);
}

TEST_F(ConfinementTest, NoTraversalVariantReachesTheCanary) {
  const auto variants = testing::TraversalVariants(base_);
  ASSERT_GE(variants.size(), 200u);
  size_t served = 0;
  for (const std::string& v : variants) {
    auto content = Serve(v);
    if (!content) continue;
    ++served;
    EXPECT_EQ(content->find(testing::kCanary), std::string::npos) << "escaped with: " << v;
  }
  // Only names that are legitimately inside the root may be served; none of
  // the variants names a file that exists inside it.
  EXPECT_EQ(served, 0u);
}

}  // namespace
}  // namespace rackboot::bootd::tftp
