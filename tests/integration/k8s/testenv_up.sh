#!/usr/bin/env bash
# ctest fixture setup: builds (cached) and starts the test control plane in
# DIR, then installs the rackboot CRDs from SRC/crds and waits until they are
# Established, so every test with FIXTURES_REQUIRED k8s can use them.
# Usage: testenv_up.sh DIR SRC
set -euo pipefail
DIR=$1
SRC=$2
"$SRC/scripts/k8s-testenv/build"
# $PPID is ctest: if it is killed, the watchdog stops the servers.
"$SRC/scripts/k8s-testenv/start" "$DIR" --owner-pid "$PPID"
export KUBECONFIG=$DIR/kubeconfig
# kubectl wait fails at once ("expected []interface{}") while a new CRD has
# no status.conditions yet, so it is retried for up to 60 s.
crds_established() {
  kubectl apply -f "$SRC/crds/" || return 1
  local i
  for i in $(seq 1 120); do
    kubectl wait --for condition=Established --timeout=30s \
      crd/machines.rackboot.io crd/bootprofiles.rackboot.io && return 0
    sleep 0.5
  done
  return 1
}
if ! crds_established; then
  echo "testenv_up: CRDs did not install; stopping the control plane" >&2
  "$SRC/scripts/k8s-testenv/stop" "$DIR"
  exit 1
fi
kubectl version
