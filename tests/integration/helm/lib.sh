# Sourced by the chart tests that render without a cluster.
# Expects SRC (the source dir); sets CHART, HELM, KV, work (removed on exit),
# and the helpers below.
# grep -q stops reading early; under pipefail the writer then dies of
# SIGPIPE and a match reads as a failure. contains reads everything.
contains() { grep "$@" >/dev/null; }
CHART=$SRC/helm/rackboot
HELM=$("$SRC/scripts/helm/build" --print-path)
KV=(--kube-version 1.34.0)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
# reject <helm template args>: the values schema must refuse them.
reject() {
  if "$HELM" template rb "$CHART" "${KV[@]}" "$@" > "$work/rej.out" 2>&1; then fail "accepted: $*"; fi
  contains "values don't meet the specifications" "$work/rej.out" || { cat "$work/rej.out"; fail "not a schema error: $*"; }
}
