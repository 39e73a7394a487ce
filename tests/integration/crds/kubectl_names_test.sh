#!/usr/bin/env bash
# Our kinds keep their names when Cluster API is installed too (fixture
# "k8s"). Cluster API's Machine (machines.cluster.x-k8s.io), which Metal3
# users have, shares the plural "machines" with ours, so a bare `kubectl get
# machines` may list the wrong kind. Two checks:
#   1. Every kubectl command in what operators read (docs, README, the
#      chart's NOTES and README, examples, messages in the code) names our
#      resources fully-qualified (machines.rackboot.io), by our short names
#      (rbm, rbp) or by the category (rackboot) -- never bare.
#   2. With a Cluster API Machine CRD installed beside ours, each of those
#      forms, and the documented commands (get, wait, annotate, explain),
#      reaches rackboot.io and never cluster.x-k8s.io.
# The Cluster API CRD changes what a bare name means for every client of the
# shared apiserver, so ctest runs this test alone (RUN_SERIAL) and it
# removes the CRD again; kubectl keeps its discovery cache in a directory
# of its own so other tests never see the extra group.
# Needs KUBECONFIG and RACKBOOT_SOURCE_DIR.
set -euo pipefail
SRC=${RACKBOOT_SOURCE_DIR:?}
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- 1. what the docs tell operators to type ---------------------------------
cd "$SRC"
texts=(helm/rackboot/templates/NOTES.txt)
mapfile -t -O 1 texts < <(find . -name '*.md' -not -path './build*' -not -path './.git/*' -not -path './tests/*'
  find deploy/examples -name '*.yaml'
  find resolve controller bootd tools \( -name '*.cc' -o -name '*.h' \))
# A kubectl command (up to the end of its code span, a quote, a pipe or
# the end of the sentence) with a bare machine(s) / bootprofile(s) or a
# short name not of our own.
command='kubectl\b(?:(?!\. )[^`"|;])*'
bare="$command?(?<![\w./-])(machines?|bootprofiles?|mach|bp)(?=\$|[\s/,\`\")])"
if hits=$(grep -nP "$bare" "${texts[@]}"); then
  fail "kubectl commands naming machines/bootprofiles bare (write machines.rackboot.io or rbm, bootprofiles.rackboot.io or rbp):
$hits"
fi
# The forms they use instead, checked against the apiserver below.
mapfile -t forms < <(grep -ohP "$command" "${texts[@]}" |
  grep -oP '(?<![\w./-])((machines?|bootprofiles?)\.rackboot\.io|rbm|rbp|rackboot)(?=$|[\s/,.])' | sort -u)
echo "ok - docs name our kinds unambiguously; forms used: ${forms[*]:-none}"

# --- 2. the forms against an apiserver that also serves Cluster API ----------
cache=$(mktemp -d)
ns=rbt$$-names
kc() { kubectl --cache-dir "$cache" "$@"; }
k() { kc -n "$ns" "$@"; }
# The Cluster API CRD is gone (not only terminating) before the next test
# starts: a kubectl that cached discovery meanwhile would resolve a bare
# "machine" to a group that no longer exists.
remove_capi() {
  kc delete crd machines.cluster.x-k8s.io --ignore-not-found --timeout=120s >/dev/null 2>&1 || true
  local i
  for i in $(seq 1 240); do
    [ -z "$(kc api-resources --api-group=cluster.x-k8s.io -o name 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  echo "warning: cluster.x-k8s.io still served" >&2
}
cleanup() {
  remove_capi
  kc delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  rm -rf "$cache"
}
trap cleanup EXIT

# A minimal Cluster API Machine CRD: the names are what matter.
kc apply -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: machines.cluster.x-k8s.io
spec:
  group: cluster.x-k8s.io
  scope: Namespaced
  names: {kind: Machine, listKind: MachineList, plural: machines, singular: machine, shortNames: [ma],
          categories: [cluster-api]}
  versions:
    - name: v1beta1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: Cluster API's Machine (a stand-in for the test).
          x-kubernetes-preserve-unknown-fields: true
YAML
for i in $(seq 1 120); do
  kc wait --for condition=Established --timeout=30s crd/machines.cluster.x-k8s.io >/dev/null 2>&1 && break
  [ "$i" = 120 ] && fail "Cluster API CRD not Established"
  sleep 0.5
done
kc create namespace "$ns" >/dev/null
k apply -f "$SRC/deploy/examples/bootprofile-debian.yaml" -f "$SRC/deploy/examples/machines.yaml" >/dev/null
# A Cluster API Machine of the same name in the same namespace.
k apply -f - >/dev/null <<'YAML'
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata: {name: node-a01}
spec: {clusterName: c1}
YAML
# Which one the bare plural reaches is kubectl's choice (shown, not relied on).
echo "info - 'kubectl get machines' lists: $(k get machines -o jsonpath='{.items[*].apiVersion}' 2>&1)"

# groups FORM: the API groups of what `kubectl get FORM` lists, one per line.
groups_of() { k get "$1" -o jsonpath='{range .items[*]}{.apiVersion}{"\n"}{end}' | sed 's|/.*||' | sort -u; }
for form in machines.rackboot.io machine.rackboot.io rbm bootprofiles.rackboot.io bootprofile.rackboot.io rbp rackboot \
  "${forms[@]}"; do
  got=$(groups_of "$form") || fail "kubectl get $form failed"
  [ "$got" = rackboot.io ] || fail "kubectl get $form lists groups '$got', want only rackboot.io"
done
echo "ok - every form lists only rackboot.io objects"

# The documented commands on one object.
[ "$(k get machines.rackboot.io/node-a01 -o jsonpath='{.apiVersion}')" = rackboot.io/v1alpha1 ] ||
  fail "get machines.rackboot.io/node-a01"
[ "$(k get rbm node-a01 -o jsonpath='{.apiVersion}')" = rackboot.io/v1alpha1 ] || fail "get rbm node-a01"
k annotate machines.rackboot.io node-a01 rackboot.io/reprovision=r2 --overwrite >/dev/null
[ "$(k get rbm node-a01 -o jsonpath='{.metadata.annotations.rackboot\.io/reprovision}')" = r2 ] ||
  fail "annotate machines.rackboot.io did not reach our Machine"
[ -z "$(k get machines.cluster.x-k8s.io node-a01 -o jsonpath='{.metadata.annotations.rackboot\.io/reprovision}')" ] ||
  fail "annotate machines.rackboot.io touched the Cluster API Machine"
k patch rbm node-a01 --subresource=status --type=merge -p '{"status":{"conditions":[{"type":"Ready","status":"True",
  "reason":"Published","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":1}]}}' >/dev/null
k wait --for=condition=Ready --timeout=30s machines.rackboot.io/node-a01 >/dev/null ||
  fail "kubectl wait --for=condition=Ready machines.rackboot.io/node-a01"
out=$(kc explain rbm.status.lastError 2>&1 | tr '\n' ' ')
grep -qF 'bootd reported' <<<"$out" || fail "kubectl explain rbm.status.lastError: $out"
out=$(kc explain machines.status --api-version=rackboot.io/v1alpha1 2>&1 | tr '\n' ' ')
grep -qF 'bootProgress' <<<"$out" || fail "kubectl explain machines --api-version=rackboot.io/v1alpha1: $out"
remove_capi
[ -z "$(kc api-resources --api-group=cluster.x-k8s.io -o name)" ] || fail "Cluster API CRD not removed"
echo "PASS: our names reach rackboot.io beside Cluster API's Machine"
