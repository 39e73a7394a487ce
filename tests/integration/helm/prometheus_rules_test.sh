#!/usr/bin/env bash
# The chart's PrometheusRule: rendered by the real helm, checked by promtool
# (Debian prometheus), and proven by promtool unit tests
# (prometheus_rules_test.yaml) to fire on synthetic refusals, failures and
# sustained queueing, and to stay quiet on steady boots and a short storm.
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

step "every metric the rules query is a documented bootd metric (docs/metrics.md)"
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

step "promtool test rules: fires on refusals, failures, sustained queueing; quiet otherwise"
cp "$SRC/tests/integration/helm/prometheus_rules_test.yaml" "$work/"
(cd "$work" && promtool test rules prometheus_rules_test.yaml)

echo PASS
