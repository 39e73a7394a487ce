#!/usr/bin/env bash
# The per-machine view: the real kube-state-metrics (built from Go modules by
# scripts/kube-state-metrics/build, cached by version) runs
# deploy/kube-state-metrics/machine-state.yaml against the real test
# apiserver (fixture k8s, KUBECONFIG set by ctest). Two Machines whose status
# this test writes (no controller runs, so nothing rewrites it) must come out
# as the series docs/metrics.md lists, with the right values, and no label
# may carry a MAC or an address although the status has both. The
# kube-prometheus-stack values beside the config must embed the same config.
# Everything listens on 127.0.0.1.
# Usage: ksm_machine_metrics_test.sh <source dir>
set -euo pipefail
SRC=$1
DIR=$SRC/deploy/kube-state-metrics
KSM=$("$SRC/scripts/kube-state-metrics/build" --print-path)
ns=ksm$$
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/ksm.log" ] && tail -30 "$work/ksm.log" >&2; exit 1; }
step() { echo "--- $*"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

step "the kube-prometheus-stack values embed machine-state.yaml"
python3 - "$DIR/machine-state.yaml" "$DIR/kube-prometheus-stack-values.yaml" <<'PY' || fail "values and config differ"
import sys, yaml
config = yaml.safe_load(open(sys.argv[1]))
values = yaml.safe_load(open(sys.argv[2]))["kube-state-metrics"]
assert values["customResourceState"]["enabled"] is True
assert values["customResourceState"]["config"] == config, "customResourceState.config is not machine-state.yaml"
rules = {(tuple(r["apiGroups"]), tuple(r["resources"])) for r in values["rbac"]["extraRules"]}
assert (("rackboot.io",), ("machines",)) in rules and (("apiextensions.k8s.io",), ("customresourcedefinitions",)) in rules, rules
PY

step "two Machines with the status bootd and the controller would write"
kubectl create namespace "$ns" >/dev/null
kubectl apply -n "$ns" -f - >/dev/null <<'YAML'
apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata: {name: node-1}
spec:
  rack: rack-a
  hostname: node-1.lab
  architecture: x86_64
  interfaces: [{mac: "52:54:00:aa:00:01"}]
  bootProfileRef: {name: ubuntu}
---
apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata: {name: node-2}
spec:
  rack: rack-b
  interfaces: [{mac: "52:54:00:aa:00:02"}]
  bootProfileRef: {name: ubuntu}
YAML
t0=2026-12-08T01:02:03.000456Z
cond() { printf '{"type":"%s","status":"%s","reason":"%s","message":"m","lastTransitionTime":"2026-12-08T01:00:00Z"}' "$@"; }
kubectl patch machines.rackboot.io node-1 -n "$ns" --subresource=status --type=merge -p "{\"status\":{
  \"phase\":\"Provisioned\",\"ipv4\":\"10.0.0.101\",
  \"conditions\":[$(cond Ready True Published),$(cond BootLoop False NoLoop)],
  \"bootProgress\":{\"bootCount\":1,\"restarts\":0,\"lastStage\":\"booted\",\"lastStageTime\":\"$t0\",
    \"stages\":[{\"stage\":\"dhcp_discover\",\"time\":\"$t0\"},{\"stage\":\"booted\",\"time\":\"$t0\"}]},
  \"detected\":{\"mac\":\"52:54:00:aa:00:01\",\"architecture\":\"x86_64\",\"firmware\":\"uefi\"}}}" >/dev/null
kubectl patch machines.rackboot.io node-2 -n "$ns" --subresource=status --type=merge -p "{\"status\":{
  \"phase\":\"Failed\",\"ipv4\":\"10.0.1.102\",
  \"conditions\":[$(cond Ready False BootLoop),$(cond BootLoop True RestartedRepeatedly)],
  \"bootProgress\":{\"bootCount\":0,\"restarts\":4,\"lastStage\":\"script\",\"lastStageTime\":\"$t0\"},
  \"lastError\":{\"time\":\"$t0\",\"stage\":\"script\",\"message\":\"ipxe script render failed: x\"}}}" >/dev/null

step "kube-state-metrics serves them"
p=$(port)
tp=$(port)
"$KSM" --kubeconfig "$KUBECONFIG" --custom-resource-state-only \
  --custom-resource-state-config-file "$DIR/machine-state.yaml" --namespaces "$ns" \
  --host 127.0.0.1 --port "$p" --telemetry-host 127.0.0.1 --telemetry-port "$tp" > "$work/ksm.log" 2>&1 &
pid=$!
# Until both Machines are in its cache (their phase series appear).
for _ in $(seq 300); do
  if curl -sf "http://127.0.0.1:$p/metrics" > "$work/metrics" 2>/dev/null &&
    [ "$(grep '^rackboot_machine_phase{' "$work/metrics" | grep "namespace=\"$ns\"" | grep -c 'phase="Provisioned"')" = 2 ]; then
    break
  fi
  kill -0 "$pid" 2>/dev/null || fail "kube-state-metrics exited"
  sleep 0.2
done
grep -q '^rackboot_machine_phase{' "$work/metrics" || fail "no rackboot_machine_phase series"

step "the series and values docs/metrics.md promises"
python3 - "$work/metrics" "$SRC/docs/metrics.md" "$ns" "$t0" <<'PY' || fail "metrics"
import datetime, re, sys
text, docs, ns, t0 = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]
samples = []
for line in text.splitlines():
    m = re.match(r'^(rackboot_machine_[a-z_]+)\{(.*)\} (\S+)$', line)
    if m:
        labels = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2)))
        samples.append((m.group(1), labels, float(m.group(3))))
bad = []
def value(name, **want):
    want["namespace"] = ns  # the apiserver is shared with other tests
    got = [v for n, l, v in samples if n == name and all(l.get(k) == w for k, w in want.items())]
    if len(got) != 1:
        bad.append(f"{name} {want}: {len(got)} series")
        return None
    return got[0]
def expect(name, expected, **want):
    v = value(name, **want)
    if v is not None and v != expected:
        bad.append(f"{name} {want}: {v}, want {expected}")
when = datetime.datetime.fromisoformat(t0.replace("Z", "+00:00")).timestamp()
expect("rackboot_machine_info", 1, namespace=ns, machine="node-1", rack="rack-a", hostname="node-1.lab",
       profile="ubuntu", architecture="x86_64")
expect("rackboot_machine_phase", 1, machine="node-1", phase="Provisioned")
expect("rackboot_machine_phase", 0, machine="node-1", phase="Booting")
expect("rackboot_machine_phase", 1, machine="node-2", rack="rack-b", phase="Failed")
expect("rackboot_machine_last_stage", 1, machine="node-1", stage="booted")
expect("rackboot_machine_last_stage", 1, machine="node-2", stage="script")
expect("rackboot_machine_last_stage", 0, machine="node-2", stage="booted")
# Whole seconds: kube-state-metrics parses RFC 3339 and may drop the micros.
v = value("rackboot_machine_last_stage_time_seconds", machine="node-1")
if v is not None and abs(v - when) > 1:
    bad.append(f"last_stage_time_seconds {v}, want {when}")
expect("rackboot_machine_boot_restarts", 4, machine="node-2")
expect("rackboot_machine_boot_restarts", 0, machine="node-1")
expect("rackboot_machine_boots", 1, machine="node-1")
expect("rackboot_machine_condition", 1, machine="node-2", condition="BootLoop", reason="RestartedRepeatedly")
expect("rackboot_machine_condition", 0, machine="node-2", condition="Ready", reason="BootLoop")
expect("rackboot_machine_condition", 1, machine="node-1", condition="Ready", reason="Published")
v = value("rackboot_machine_last_error_time_seconds", machine="node-2")
if v is not None and abs(v - when) > 1:
    bad.append(f"last_error_time_seconds {v}, want {when}")
# Every family served is documented and every documented one served.
served = {n for n, _, _ in samples}
section = docs.split("### Per machine: kube-state-metrics", 1)[1].split("\n## ", 1)[0]
documented = set(re.findall(r'^\| `(rackboot_machine_[a-z_]+)` \|', section, re.M))
if served != documented:
    bad.append(f"served, not documented: {sorted(served - documented)}; documented, not served: {sorted(documented - served)}")
# No MAC or address reached a label (the status has both).
for n, labels, _ in samples:
    for k, v in labels.items():
        if re.search(r'([0-9a-f]{2}[:-]){5}[0-9a-f]{2}', v, re.I) or re.fullmatch(r'\d+\.\d+\.\d+\.\d+', v):
            bad.append(f"{n} {k}={v}: a MAC or address in a label")
print(f"{len(samples)} rackboot_machine_* series, {len(served)} families")
for b in bad:
    print("FAIL", b)
sys.exit(1 if bad else 0)
PY
promtool check metrics < "$work/metrics" > "$work/lint" 2>&1 || { cat "$work/lint"; fail "promtool check metrics"; }
echo PASS
