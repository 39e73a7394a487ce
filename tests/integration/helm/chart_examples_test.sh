#!/usr/bin/env bash
# Every values example the chart ships (helm/rackboot/examples/*.yaml) must
# pass `helm lint --strict` and `helm template`, and its rendered
# controller.yaml and bootd.yaml must load with the binaries' own strict
# config loaders. A new example is covered by dropping it in the directory.
# Usage: chart_examples_test.sh <source dir> <rendered_config_check binary>
set -euo pipefail
SRC=$1
CONFIG_CHECK=$2
source "$SRC/tests/integration/helm/lib.sh"

shopt -s nullglob
examples=("$CHART"/examples/*.yaml)
[ "${#examples[@]}" -ge 4 ] || fail "expected the server, proxy, multi-rack and TLS examples, found ${#examples[@]}"
mkdir -p "$work/cfg"
for f in "${examples[@]}"; do
  name=$(basename "$f" .yaml)
  step "$name: helm lint --strict, helm template, config loaders"
  "$HELM" lint --strict "${KV[@]}" "$CHART" -f "$f"
  "$HELM" template rb "$CHART" "${KV[@]}" --namespace rb-ns -f "$f" > "$work/$name.yaml"
  "$CONFIG_CHECK" "$work/$name.yaml" "$work/cfg"
done

step "the examples cover both DHCP modes, several racks and mounted certificates"
contains -x '      mode: proxy' "$work/proxy-mode.yaml" || fail "proxy-mode renders a ProxyDHCP rack"
if awk '/name: rb-rackboot-bootd-rack-p$/,/^---/' "$work/proxy-mode.yaml" | contains 'pools:'; then
  fail "a proxy rack got a pool"
fi
[ "$(grep -c '^kind: DaemonSet$' "$work/multi-rack.yaml")" = 3 ] || fail "multi-rack: one DaemonSet per rack"
contains 'secretName: rackboot-bootd-https' "$work/tls.yaml" || fail "tls: HTTPS Secret mounted"
contains 'secretName: rackboot-rack-a-pki' "$work/tls.yaml" || fail "tls: existing mTLS Secret mounted"

step "the check can fail: a broken example is refused"
printf 'racks:\n  - name: bad\n    bootd: {dhcp: {mode: server, interface: eth0, pool: {}}}\n' > "$work/broken.yaml"
if "$HELM" lint --strict "${KV[@]}" "$CHART" -f "$work/broken.yaml" > "$work/broken.out" 2>&1; then
  fail "helm lint accepted a typo in bootd's config"
fi
contains "at '/racks/0/bootd/dhcp': additional properties 'pool' not allowed" "$work/broken.out" ||
  { cat "$work/broken.out"; fail "lint does not name the bad key's path"; }
echo PASS
