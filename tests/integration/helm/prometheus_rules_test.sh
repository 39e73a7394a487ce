#!/usr/bin/env bash
# The chart's PrometheusRule: rendered by the real helm, checked by promtool
# (Debian prometheus), and proven by promtool unit tests
# (prometheus_rules_test.yaml), each alert firing on its synthetic series
# and staying quiet beside it: refusals, failures, sustained queueing, DHCP
# NAKs, boot loops, a disconnected bootd, no leader, a nearly exhausted
# pool, rejected assignments.
# Usage: prometheus_rules_test.sh <source dir>
set -euo pipefail
SRC=$1
source "$SRC/tests/integration/helm/lib.sh"

step "off by default"
"$HELM" template rb "$CHART" "${KV[@]}" > "$work/default.yaml"
if contains '^kind: PrometheusRule$' "$work/default.yaml"; then fail "PrometheusRule rendered by default"; fi

step "rendered with the stack's selector label and alert labels"
"$HELM" template rb "$CHART" "${KV[@]}" --namespace rb-ns --set prometheusRule.enabled=true \
  --set prometheusRule.labels.release=kps --set prometheusRule.alertLabels.team=metal \
  --show-only templates/prometheusrule.yaml > "$work/rule.yaml"
"$HELM" lint --strict "${KV[@]}" "$CHART" --set prometheusRule.enabled=true
# The spec of the object is a Prometheus rule file; promtool reads only that.
python3 - "$work/rule.yaml" "$work" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert doc["kind"] == "PrometheusRule", doc["kind"]
assert doc["metadata"]["labels"]["release"] == "kps", doc["metadata"]["labels"]
assert doc["metadata"]["namespace"] == "rb-ns"
groups = doc["spec"]["groups"]
rules = [r for g in groups for r in g["rules"]]
for r in rules:
    assert r["labels"]["team"] == "metal", r
yaml.safe_dump({"groups": groups}, open(sys.argv[2] + "/checked.yaml", "w"))
# The unit tests pin labels and summaries; descriptions are prose.
for r in rules:
    r["annotations"] = {"summary": r["annotations"]["summary"]}
    del r["labels"]["team"]
yaml.safe_dump({"groups": groups}, open(sys.argv[2] + "/rules.yaml", "w"))
PY
promtool check rules "$work/checked.yaml"

step "every metric the rules query is documented (docs/metrics.md)"
names=$(grep -o 'rackboot_[a-z_]*' "$work/checked.yaml" | grep -v '^rackboot_$' | sort -u)
[ -n "$names" ] || fail "no metric names found"
for n in $names; do
  contains -F "| \`$n\` |" "$SRC/docs/metrics.md" || fail "$n is not in docs/metrics.md"
done

step "overloadFor reaches the warning; a malformed duration is rejected"
"$HELM" template rb "$CHART" "${KV[@]}" --set prometheusRule.enabled=true --set prometheusRule.overloadFor=30m \
  --show-only templates/prometheusrule.yaml | contains '^ *for: 30m$' || fail "overloadFor not applied"
reject --set "prometheusRule.overloadFor=10 minutes"
reject --set prometheusRule.severity=page
reject --set prometheusRule.bootdDisconnectedFor=soon
reject --set-json prometheusRule.ipPoolFreeRatio=1.5
"$HELM" template rb "$CHART" "${KV[@]}" --set prometheusRule.enabled=true --set-json prometheusRule.ipPoolFreeRatio=0.25 \
  --show-only templates/prometheusrule.yaml > "$work/ratio.yaml"
[ "$(grep -c '< 0.25$' "$work/ratio.yaml")" = 2 ] || fail "ipPoolFreeRatio not applied to both pools"

step "every alert has a promtool unit test where it fires and one where it stays quiet"
python3 - "$work/checked.yaml" "$SRC/tests/integration/helm/prometheus_rules_test.yaml" <<'PY' || fail "alerts without tests"
import sys, yaml
alerts = [r["alert"] for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r]
cases = [c for t in yaml.safe_load(open(sys.argv[2]))["tests"] for c in t.get("alert_rule_test", [])]
bad = 0
for a in alerts:
    fired = any(c["alertname"] == a and c.get("exp_alerts") for c in cases)
    quiet = any(c["alertname"] == a and not c.get("exp_alerts") for c in cases)
    if not (fired and quiet):
        print(f"{a}: fires in a test: {fired}, quiet in a test: {quiet}")
        bad += 1
print(f"{len(alerts)} alerts, {bad} without both tests")
sys.exit(1 if bad or len(alerts) < 9 else 0)
PY

step "promtool test rules: each alert fires on its cause and stays quiet otherwise"
cp "$SRC/tests/integration/helm/prometheus_rules_test.yaml" "$work/"
(cd "$work" && promtool test rules prometheus_rules_test.yaml)

echo PASS
