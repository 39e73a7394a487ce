#include "bootd/standalone/boot_tree.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bootd/standalone/manifest_directory.h"

namespace rackboot::bootd::standalone {
namespace {

namespace fs = std::filesystem;

TEST(CompareKernelVersionsTest, NaturalOrder) {
  EXPECT_LT(CompareKernelVersions("6.1.0-9-amd64", "6.1.0-10-amd64"), 0);
  EXPECT_LT(CompareKernelVersions("6.9", "6.10"), 0);
  EXPECT_GT(CompareKernelVersions("6.12.1", "6.12"), 0);
  EXPECT_EQ(CompareKernelVersions("6.01", "6.1"), 0);
  EXPECT_EQ(CompareKernelVersions("5.15.0-91-generic", "5.15.0-91-generic"), 0);
}

class BootTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("rackboot-trees-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    // AutoPXE layout: boot files beside each other, or a whole rootfs.
    Touch("debian/bookworm/vmlinuz-6.1.0-9-amd64");
    Touch("debian/bookworm/initrd.img-6.1.0-9-amd64");
    Touch("debian/bookworm/vmlinuz-6.1.0-10-amd64");
    Touch("debian/bookworm/initrd.img-6.1.0-10-amd64");
    Touch("debian/trixie/boot/vmlinuz-6.12.6-amd64");
    Touch("debian/trixie/boot/initrd.img-6.12.6-amd64");
    Touch("debian/trixie/etc/os-release");
    Touch("fedora/41/boot/vmlinuz-6.11.4-301.fc41.x86_64");
    Touch("fedora/41/boot/initramfs-6.11.4-301.fc41.x86_64.img");
    Touch("arch/rolling/vmlinuz-linux");  // no initrd
    Touch("notes/README");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Touch(const std::string& rel) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << rel;
  }
  fs::path root_;
};

TEST_F(BootTreeTest, DiscoversDistrosReleasesAndVersions) {
  BootTreeIndex index = BootTreeIndex::Scan(root_.string());
  ASSERT_EQ(index.trees().size(), 5u);
  const BootTree* latest = index.Find("debian", "bookworm", "latest");
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->version, "6.1.0-10-amd64");  // not 6.1.0-9 (text order would pick it)
  EXPECT_EQ(latest->kernel, "debian/bookworm/vmlinuz-6.1.0-10-amd64");
  EXPECT_EQ(latest->initrd, "debian/bookworm/initrd.img-6.1.0-10-amd64");
  EXPECT_EQ(latest->rootfs_path, (root_ / "debian/bookworm").string());
  const BootTree* old = index.Find("debian", "bookworm", "6.1.0-9-amd64");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->initrd, "debian/bookworm/initrd.img-6.1.0-9-amd64");
  const BootTree* rootfs = index.Find("debian", "trixie", "latest");
  ASSERT_NE(rootfs, nullptr);
  EXPECT_EQ(rootfs->kernel, "debian/trixie/boot/vmlinuz-6.12.6-amd64");
  EXPECT_EQ(rootfs->rootfs_path, (root_ / "debian/trixie").string());
  const BootTree* fedora = index.Find("fedora", "41", "latest");
  ASSERT_NE(fedora, nullptr);
  EXPECT_EQ(fedora->initrd, "fedora/41/boot/initramfs-6.11.4-301.fc41.x86_64.img");
  EXPECT_EQ(index.Find("debian", "sid", "latest"), nullptr);
  EXPECT_TRUE(BootTreeIndex::Scan((root_ / "missing").string()).trees().empty());
}

TEST_F(BootTreeTest, ResolvesAliasPaths) {
  BootTreeIndex index = BootTreeIndex::Scan(root_.string());
  const BootTree* tree = nullptr;
  std::string problem;
  EXPECT_EQ(index.ResolvePath("debian/bookworm/latest/vmlinuz", &tree, &problem).value_or(""),
            "debian/bookworm/vmlinuz-6.1.0-10-amd64");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->version, "6.1.0-10-amd64");
  EXPECT_EQ(index.ResolvePath("debian/bookworm/6.1.0-9-amd64/initrd", &tree, &problem).value_or(""),
            "debian/bookworm/initrd.img-6.1.0-9-amd64");
  // Not an alias: left alone, no problem.
  EXPECT_FALSE(index.ResolvePath("images/vmlinuz", &tree, &problem));
  EXPECT_TRUE(problem.empty());
  // An alias that names nothing, or a tree without an initrd: a problem.
  EXPECT_FALSE(index.ResolvePath("debian/sid/latest/vmlinuz", &tree, &problem));
  EXPECT_NE(problem.find("no boot tree debian/sid"), std::string::npos);
  problem.clear();
  EXPECT_FALSE(index.ResolvePath("arch/rolling/latest/initrd", &tree, &problem));
  EXPECT_NE(problem.find("has no initrd"), std::string::npos);
}

TEST_F(BootTreeTest, ManifestsBootTheLatestKernelAndSeeNewOnesOnReload) {
  fs::path manifests = root_.string() + "-manifests";
  fs::create_directories(manifests);
  std::ofstream(manifests / "autopxe.yaml") << R"(apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: debian-stable-nfs}
spec:
  kernel: {path: debian/bookworm/latest/vmlinuz}
  initrds: [{path: debian/bookworm/latest/initrd}]
  cmdline: root=/dev/nfs nfsroot={{env.nfs_server}}:{{params.rootfs_path}} ip=dhcp rootovl
---
apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: broken}
spec:
  kernel: {path: debian/sid/latest/vmlinuz}
  cmdline: quiet
---
apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata: {name: bc2411b01ade}
spec:
  rack: r
  interfaces: [{mac: "bc:24:11:b0:1a:de"}]
  bootProfileRef: {name: debian-stable-nfs}
)";
  ManifestLoad load = LoadManifestDirectory(manifests.string(), "r", root_.string());
  EXPECT_EQ(load.boot_trees, 5u);
  ASSERT_EQ(load.assignments.size(), 1u);
  const Assignment& a = load.assignments[0];
  EXPECT_EQ(a.boot.kernel.url, "debian/bookworm/vmlinuz-6.1.0-10-amd64");
  ASSERT_EQ(a.boot.initrds.size(), 1u);
  EXPECT_EQ(a.boot.initrds[0].url, "debian/bookworm/initrd.img-6.1.0-10-amd64");
  EXPECT_EQ(a.parameters.at("kernel_version"), "6.1.0-10-amd64");
  EXPECT_EQ(a.parameters.at("boot_distro"), "debian");
  EXPECT_EQ(a.parameters.at("rootfs_path"), (root_ / "debian/bookworm").string());
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_NE(load.problems[0].message.find("BootProfile broken"), std::string::npos);

  Touch("debian/bookworm/vmlinuz-6.1.0-11-amd64");
  Touch("debian/bookworm/initrd.img-6.1.0-11-amd64");
  load = LoadManifestDirectory(manifests.string(), "r", root_.string());
  ASSERT_EQ(load.assignments.size(), 1u);
  EXPECT_EQ(load.assignments[0].boot.kernel.url, "debian/bookworm/vmlinuz-6.1.0-11-amd64");
  fs::remove_all(manifests);
}

}  // namespace
}  // namespace rackboot::bootd::standalone
