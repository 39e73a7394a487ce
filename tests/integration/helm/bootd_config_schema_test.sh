#!/usr/bin/env bash
# The chart's schema for bootd's config ($defs/bootdConfig in
# values.schema.json) against bootd's parser, which is the authority on
# bootd's keys (bootd/config/bootd_config.cc): values that set every schema
# key to its example are rendered by helm and loaded by LoadBootdConfig
# with every key it reads recorded (bootd_config_keys_check.cc says what
# fails). Then: a typo'd key anywhere in bootd's config fails helm template
# and helm lint with the key's path.
# Usage: bootd_config_schema_test.sh <source dir> <bootd_config_keys_check binary>
set -euo pipefail
SRC=$1
KEYS=$2
source "$SRC/tests/integration/helm/lib.sh"

step "maximal values from the schema's examples"
"$KEYS" values "$CHART/values.schema.json" > "$work/maximal.yaml"
# Racks that exercise what the chart renders itself: a server rack with
# every network field (bootd's pool), an HTTPS Secret (tlsCertFile,
# tlsKeyFile), the artifact cache (on by default).
cat > "$work/racks.yaml" <<'VALUES'
bootd:
  httpsSecretName: bootd-https
racks:
  - name: rack-a
    network:
      subnet: 10.77.0.0/24
      pool: {start: 10.77.0.100, end: 10.77.0.199}
      router: 10.77.0.1
      dns: [10.77.0.1]
      domainName: rack-a.example
      leaseSeconds: 600
VALUES
cat "$work/maximal.yaml"
"$HELM" template rb "$CHART" "${KV[@]}" -f "$work/maximal.yaml" -f "$work/racks.yaml" > "$work/rendered.yaml"

step "every key bootd reads is offered by the chart, every offered key reaches bootd"
mkdir -p "$work/cfg"
"$KEYS" compare "$CHART/values.schema.json" "$work/rendered.yaml" "$work/cfg"

# drift <key> <python statement on tftp's properties `t`>: a copy of the
# chart whose schema is edited so; the comparison must fail naming tftp.<key>.
cp -r "$CHART" "$work/chart"
drift() {
  python3 - "$CHART/values.schema.json" "$work/chart/values.schema.json" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["$defs"]["bootdConfig"]["properties"]["tftp"]["properties"]
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], "w"))
PY
  "$KEYS" values "$work/chart/values.schema.json" > "$work/drift.yaml"
  "$HELM" template rb "$work/chart" "${KV[@]}" -f "$work/drift.yaml" -f "$work/racks.yaml" > "$work/drift-rendered.yaml"
  if "$KEYS" compare "$work/chart/values.schema.json" "$work/drift-rendered.yaml" "$work/cfg" 2> "$work/drift.err"; then
    fail "schema drift at tftp.$1 went unnoticed"
  fi
  contains "tftp.$1" "$work/drift.err" || { cat "$work/drift.err"; fail "error does not name tftp.$1"; }
}
step "the comparison can fail: a schema key bootd does not have"
drift rootDir 't["rootDir"] = {"type": "string", "examples": ["/x"]}'
step "... and a key bootd has that the schema lacks"
drift maxRetries 'del t["maxRetries"]'

step "typos fail helm template and helm lint, naming the key's path"
typo() {  # typo <expected path> <key=value for --set>...
  local where=$1; shift
  local args=()
  for kv in "$@"; do args+=(--set "$kv"); done
  if "$HELM" template rb "$CHART" "${KV[@]}" "${args[@]}" > "$work/typo.out" 2>&1; then fail "accepted: $*"; fi
  contains -F "$where" "$work/typo.out" || { cat "$work/typo.out"; fail "template error does not name $where"; }
  if "$HELM" lint --strict "${KV[@]}" "$CHART" "${args[@]}" > "$work/typo.out" 2>&1; then fail "lint accepted: $*"; fi
  contains -F "$where" "$work/typo.out" || { cat "$work/typo.out"; fail "lint error does not name $where"; }
}
typo "at '/bootd/config/tftp': additional properties 'rootDir' not allowed" bootd.config.tftp.rootDir=/x
typo "at '/bootd/config/dhcp': additional properties 'mdoe' not allowed" bootd.config.dhcp.mdoe=server
typo "at '/bootd/config/http': additional properties 'listenAddress' not allowed" bootd.config.http.listenAddress=x
typo "at '/bootd/config/dhcp/pxeMenu/items/0': additional properties 'desc' not allowed" \
  'bootd.config.dhcp.pxeMenu.items[0].type=0' 'bootd.config.dhcp.pxeMenu.items[0].desc=x'
typo "at '/racks/0/bootd': additional properties 'tftpp' not allowed" 'racks[0].name=r' 'racks[0].bootd.tftpp.root=/x'
# Keys the chart sets itself are refused in values too.
typo "at '/racks/0/bootd/dhcp': additional properties 'pools' not allowed" 'racks[0].name=r' 'racks[0].bootd.dhcp.pools[0].subnet=10.0.0.0/24'
typo "at '/bootd/config': additional properties 'metrics' not allowed" bootd.config.metrics.listen=0.0.0.0:1
typo "at '/bootd/config/http': additional properties 'artifactCacheDir' not allowed" bootd.config.http.artifactCacheDir=/x
typo "at '/bootd/config/tftp/maxTransfers'" bootd.config.tftp.maxTransfers=0
echo PASS
