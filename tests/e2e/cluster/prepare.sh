#!/usr/bin/env bash
# ctest fixture "cluster": everything the node tests need that is not in the
# test build, each part cached outside the build tree so a warm run costs
# seconds (docs/testing.md has the cold and warm times):
#   - the node's binaries (etcd, kube-apiserver, kubelet, kube-scheduler,
#     kube-controller-manager, kube-proxy, kubectl) from Go modules,
#     by version: ${RACKBOOT_K8S_CACHE:-/var/cache/rackboot/k8s}/<version>/
#   - the release tree (scripts/build release; ccache) and the bootd and
#     controller images from it (scripts/images/build: base root
#     filesystems cached by package list, archives rebuilt only when the
#     binary changed)
#   - the pause and busybox images (cached by their sources' hashes)
# The Debian packages (containerd, runc, CNI plugins, mmdebstrap) come from
# scripts/setup --cluster, which scripts/test runs.
# Usage: tests/e2e/cluster/prepare.sh SRC_DIR
set -euo pipefail
SRC=$(cd "${1:?usage: $0 SRC_DIR}" && pwd)
step() {
  local what=$1 start=$SECONDS
  shift
  echo "cluster prepare: $what" >&2
  "$@" >&2
  echo "cluster prepare: $what: $((SECONDS - start))s" >&2
}
step "node binaries (a first run builds them from Go modules: 20-40 min on 2 cores)" \
  "$SRC/scripts/k8s-testenv/build" --cluster
step "release build and images" "$SRC/scripts/images/build"
step "pause image" "$SRC/scripts/images/pause"
step "busybox image" "$SRC/scripts/images/busybox"
