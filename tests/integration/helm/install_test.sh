#!/usr/bin/env bash
# helm install / upgrade / uninstall of helm/rackboot into the real
# kube-apiserver of the k8s fixture (KUBECONFIG set by ctest). There are no
# nodes or controllers there: Pods never run, so this asserts that the
# server accepts every object, not that anything becomes ready.
# Usage: install_test.sh <source dir>
set -euo pipefail
# grep -q stops reading early; under pipefail the writer then dies of
# SIGPIPE and a match reads as a failure. contains reads everything.
contains() { grep "$@" >/dev/null; }
SRC=$1
CHART=$SRC/helm/rackboot
HELM=$("$SRC/scripts/helm/build" --print-path)
rel=rbt$$
ns=rbt$$-helm
sa=system:serviceaccount:$ns:$rel-rackboot-controller
work=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
cleanup() {
  "$HELM" uninstall "$rel" -n "$ns" >/dev/null 2>&1 || true
  kubectl delete clusterrole,clusterrolebinding,priorityclass -l "app.kubernetes.io/instance=$rel" >/dev/null 2>&1 || true
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

kubectl create namespace "$ns" >/dev/null
cat > "$work/values.yaml" <<'VALUES'
racks:
  - name: r1
    bootd: {dhcp: {mode: proxy, interface: eno1, serverAddress: 10.1.0.1}}
  - name: r2
    network: {subnet: 10.2.0.0/24, pool: {start: 10.2.0.10, end: 10.2.0.20}, router: 10.2.0.1}
    bootd: {dhcp: {mode: server, interface: eno2, serverAddress: 10.2.0.1}}
VALUES

step "Pod Security Admission as the apiserver evaluates it: bootd needs privileged, the controller passes restricted"
# PSA checks the pod templates of workloads in warn mode (it enforces on
# Pods, which nothing creates here): a dry run into a namespace that warns
# at a level prints what that level forbids.
psa=rbt$$-psa
kubectl create namespace "$psa" >/dev/null
trap 'cleanup; kubectl delete namespace "$psa" --wait=false >/dev/null 2>&1 || true' EXIT
"$HELM" template "$rel" "$CHART" -n "$psa" -f "$work/values.yaml" --kube-version 1.34.0 --skip-tests \
  --set bootd.priorityClass.create=false > "$work/psa.yaml"
# kubectl prints each distinct warning once, so objects are checked apart.
awk 'BEGIN{RS="\n---\n"; ORS="\n---\n"} /\nkind: DaemonSet\n/' "$work/psa.yaml" > "$work/psa-bootd.yaml"
awk 'BEGIN{RS="\n---\n"; ORS="\n---\n"} /\nkind: Deployment\n/' "$work/psa.yaml" > "$work/psa-controller.yaml"
contains -x 'kind: DaemonSet' "$work/psa-bootd.yaml" || fail "no DaemonSet split out"
contains -x 'kind: Deployment' "$work/psa-controller.yaml" || fail "no Deployment split out"
psa_warnings() {  # psa_warnings <level> <file>: the dry run's PodSecurity warnings at that level
  kubectl label namespace "$psa" --overwrite "pod-security.kubernetes.io/warn=$1" >/dev/null
  kubectl apply --dry-run=server -n "$psa" -f "$2" 2>&1 >/dev/null | grep 'would violate PodSecurity' || true
}
psa_warnings baseline "$work/psa-bootd.yaml" > "$work/psa.baseline"
cat "$work/psa.baseline"
contains 'hostNetwork=true' "$work/psa.baseline" || fail "baseline forbids hostNetwork"
contains 'hostPath volumes' "$work/psa.baseline" || fail "baseline forbids hostPath volumes"
[ -z "$(psa_warnings restricted "$work/psa-controller.yaml")" ] || fail "the controller does not pass restricted"
[ -z "$(psa_warnings privileged "$work/psa.yaml")" ] || fail "privileged must accept everything"

step "helm install: every object accepted; NOTES warn about a namespace too strict for bootd"
# enforce=baseline admits the DaemonSets (PSA enforces on Pods, which
# nothing creates here) but would refuse their pods: NOTES.txt reads the
# label (lookup) and says so.
kubectl label namespace "$ns" pod-security.kubernetes.io/enforce=baseline >/dev/null
# The fixture applied the CRDs already; Helm skips existing ones in crds/.
"$HELM" install "$rel" "$CHART" -n "$ns" -f "$work/values.yaml" --timeout 120s | tee "$work/install.out"
contains -F "WARNING: namespace $ns enforces Pod Security \"baseline\"" "$work/install.out" || fail "NOTES: no PSA warning"
contains -F "kubectl label namespace $ns pod-security.kubernetes.io/enforce=privileged" "$work/install.out" ||
  fail "NOTES: no label command"
kubectl label namespace "$ns" --overwrite pod-security.kubernetes.io/enforce=privileged >/dev/null
"$HELM" status "$rel" -n "$ns" | contains '^STATUS: deployed' || fail "release not deployed"
"$HELM" get manifest "$rel" -n "$ns" > "$work/manifest.yaml"
kubectl get -f "$work/manifest.yaml" -o name | sort > "$work/objects"
cat "$work/objects"
n_manifest=$(grep -c '^kind:' "$work/manifest.yaml")
[ "$(wc -l < "$work/objects")" = "$n_manifest" ] || fail "$n_manifest objects rendered, $(wc -l < "$work/objects") on the server"
for o in deployment.apps/$rel-rackboot-controller daemonset.apps/$rel-rackboot-bootd-r1 \
  daemonset.apps/$rel-rackboot-bootd-r2 poddisruptionbudget.policy/$rel-rackboot-controller \
  clusterrole.rbac.authorization.k8s.io/$rel-rackboot-controller secret/$rel-rackboot-ca \
  configmap/$rel-rackboot-dashboard lease.coordination.k8s.io/rackboot-controller; do
  grep -qx "$o" "$work/objects" || fail "missing $o"
done
kubectl get crd machines.rackboot.io bootprofiles.rackboot.io >/dev/null

step "generated certificates: CA-signed, rack identity in the client CN"
secret_field() { kubectl -n "$ns" get secret "$1" -o "jsonpath={.data.$2}" | base64 -d; }
secret_field "$rel-rackboot-ca" 'tls\.crt' > "$work/ca.crt"
for s in controller bootd-r1 bootd-r2; do
  secret_field "$rel-rackboot-$s-tls" 'tls\.crt' > "$work/$s.crt"
  openssl verify -CAfile "$work/ca.crt" "$work/$s.crt" >/dev/null || fail "$s certificate not signed by the CA"
done
openssl x509 -in "$work/bootd-r2.crt" -noout -subject | contains 'CN *= *bootd:r2' || fail "CN bootd:r2"
openssl x509 -in "$work/controller.crt" -noout -ext subjectAltName | contains "DNS:$rel-rackboot-controller.$ns.svc" ||
  fail "controller SAN"

step "helm upgrade with a third rack keeps every certificate (lookup)"
kubectl -n "$ns" get secrets -l "app.kubernetes.io/instance=$rel" -o jsonpath='{range .items[*]}{.metadata.name} {.data}{"\n"}{end}' |
  sort > "$work/secrets.before"
cat >> "$work/values.yaml" <<'VALUES'
  - name: r3
    network: {subnet: 10.3.0.0/24, pool: {start: 10.3.0.10, end: 10.3.0.20}}
    bootd: {dhcp: {mode: server, interface: eno3, serverAddress: 10.3.0.1}}
VALUES
"$HELM" upgrade "$rel" "$CHART" -n "$ns" -f "$work/values.yaml" --timeout 120s >/dev/null
kubectl -n "$ns" get secrets -l "app.kubernetes.io/instance=$rel" -o jsonpath='{range .items[*]}{.metadata.name} {.data}{"\n"}{end}' |
  sort > "$work/secrets.after"
grep -v -- "-bootd-r3-tls " "$work/secrets.after" | diff -u "$work/secrets.before" - || fail "upgrade changed certificates"
secret_field "$rel-rackboot-bootd-r3-tls" 'tls\.crt' > "$work/bootd-r3.crt"
openssl verify -CAfile "$work/ca.crt" "$work/bootd-r3.crt" >/dev/null || fail "new rack not signed by the same CA"
kubectl -n "$ns" get daemonset "$rel-rackboot-bootd-r3" >/dev/null

step "bootd's PriorityClass: created, used, below the system classes"
kubectl get priorityclass "$rel-rackboot-bootd" -o jsonpath='{.value}' | contains -x 1000000000 || fail "PriorityClass value"
kubectl -n "$ns" get daemonset "$rel-rackboot-bootd-r1" -o jsonpath='{.spec.template.spec.priorityClassName}' |
  contains -x "$rel-rackboot-bootd" || fail "bootd's priorityClassName"

step "RBAC as the apiserver enforces it for the controller's ServiceAccount"
can() { kubectl auth can-i --as="$sa" "$@" >/dev/null 2>&1; }
yes_() { can "$@" || fail "controller cannot: $*"; }
no_() { if can "$@"; then fail "controller can: $*"; fi; }
yes_ list machines.rackboot.io --all-namespaces
yes_ watch bootprofiles.rackboot.io -n team-a
yes_ update machines.rackboot.io --subresource=status -n team-a
yes_ patch machines.rackboot.io -n team-a
yes_ create events -n team-a
# The chart owns the Lease (helm uninstall deletes it): get/update, no create.
no_ create leases.coordination.k8s.io -n "$ns"
yes_ get leases.coordination.k8s.io/rackboot-controller -n "$ns"
yes_ update leases.coordination.k8s.io/rackboot-controller -n "$ns"
no_ update leases.coordination.k8s.io/other -n "$ns"
no_ create leases.coordination.k8s.io -n default
# Secrets: read (get/list/watch for the label-selected informer) in the
# release namespace only; never cluster-wide, never written.
yes_ get secrets -n "$ns"
yes_ list secrets -n "$ns"
yes_ watch secrets -n "$ns"
no_ list secrets --all-namespaces
no_ get secrets -n team-a
no_ get secrets -n default
no_ create secrets -n "$ns"
no_ update secrets -n "$ns"
no_ delete secrets -n "$ns"
no_ create machines.rackboot.io -n team-a
no_ delete machines.rackboot.io -n team-a
no_ update bootprofiles.rackboot.io -n team-a
yes_ update bootprofiles.rackboot.io --subresource=status -n team-a
no_ patch bootprofiles.rackboot.io --subresource=status -n team-a
no_ get pods -n "$ns"
bootd=system:serviceaccount:$ns:$rel-rackboot-bootd
if kubectl auth can-i --as="$bootd" list machines.rackboot.io -n "$ns" >/dev/null 2>&1; then fail "bootd has API rights"; fi

step "discovery on: create on machines in the discovery namespace only"
no_ create machines.rackboot.io -n "$ns"
"$HELM" upgrade "$rel" "$CHART" -n "$ns" -f "$work/values.yaml" --set controller.discovery.enabled=true --timeout 120s >/dev/null
yes_ create machines.rackboot.io -n "$ns"
no_ create machines.rackboot.io -n team-a
no_ delete machines.rackboot.io -n "$ns"
"$HELM" upgrade "$rel" "$CHART" -n "$ns" -f "$work/values.yaml" --timeout 120s >/dev/null
no_ create machines.rackboot.io -n "$ns"

step "helm uninstall removes what it installed"
"$HELM" get manifest "$rel" -n "$ns" > "$work/manifest.yaml"
"$HELM" uninstall "$rel" -n "$ns" --wait --timeout 120s
left=$(kubectl get -f "$work/manifest.yaml" --ignore-not-found -o name 2>&1)
[ -z "$left" ] || fail "left behind: $left"
[ -z "$(kubectl -n "$ns" get all,cm,secret,sa,role,rolebinding,pdb,lease -l "app.kubernetes.io/instance=$rel" -o name)" ] ||
  fail "labelled objects left"
[ -z "$(kubectl get clusterrole,clusterrolebinding -l "app.kubernetes.io/instance=$rel" -o name)" ] || fail "cluster RBAC left"
# CRDs stay (Helm never deletes crds/): Machines survive an uninstall.
kubectl get crd machines.rackboot.io >/dev/null || fail "CRD removed"

step "plain manifests (deploy/manifests) accepted by the server (dry run, in a namespace of ours)"
plain=rbt$$-plain
kubectl create namespace "$plain" >/dev/null
trap 'cleanup; kubectl delete namespace "$plain" --wait=false >/dev/null 2>&1 || true' EXIT
kubectl apply --dry-run=server --server-side -f "$SRC/deploy/manifests/00-crds.yaml" >/dev/null
sed "s/rackboot-system/$plain/g" "$SRC/deploy/manifests/10-rackboot.yaml" > "$work/plain.yaml"
kubectl apply --dry-run=server -f "$work/plain.yaml" | tee "$work/plain.out"
[ "$(grep -c 'server dry run' "$work/plain.out")" = "$(grep -c '^kind:' "$work/plain.yaml")" ] ||
  fail "not every plain manifest object accepted"
echo PASS
