#!/usr/bin/env bash
# The test control plane is a real, secured apiserver: TLS verified against
# the generated CA, the admin client certificate authenticates, anonymous
# requests are refused, and RBAC decides (an unprivileged user is forbidden
# until a RoleBinding grants it). Needs KUBECONFIG and K8S_TESTENV_DIR.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck disable=SC1091
source "$K8S_TESTENV_DIR/env"

ns=rbt$$-rbac
kubectl create namespace "$ns" >/dev/null
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT

# Loopback only (network rule) and verified TLS.
[[ $K8S_SERVER == https://127.0.0.1:* ]] || fail "server is not on loopback: $K8S_SERVER"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$K8S_CA" "$K8S_SERVER/version")
[ "$code" = 401 ] || fail "anonymous request got HTTP $code, want 401"
curl -sf --cacert "$K8S_CA" --cert "$K8S_CLIENT_CERT" --key "$K8S_CLIENT_KEY" "$K8S_SERVER/readyz" |
  grep -qx ok || fail "admin client cert cannot read /readyz"
echo "ok - TLS, anonymous refused, client cert accepted"

[ "$(kubectl auth whoami -o jsonpath='{.status.userInfo.username}')" = rackboot-admin ] ||
  fail "kubectl is not authenticated as rackboot-admin"

# RBAC: alice may do nothing until bound.
[ "$(kubectl auth can-i list configmaps -n "$ns" --as=alice || true)" = no ] ||
  fail "alice may list configmaps without any binding (RBAC not enforced?)"
out=$(kubectl get configmaps -n "$ns" --as=alice 2>&1) && fail "alice listed configmaps: $out"
grep -q Forbidden <<<"$out" || fail "expected Forbidden, got: $out"
kubectl create role cm-reader -n "$ns" --verb=get,list --resource=configmaps >/dev/null
kubectl create rolebinding alice-cm-reader -n "$ns" --role=cm-reader --user=alice >/dev/null
# The RBAC authorizer reads bindings from its informer cache: wait for it.
for _ in $(seq 1 100); do
  [ "$(kubectl auth can-i list configmaps -n "$ns" --as=alice || true)" = yes ] && break
  sleep 0.1
done
kubectl get configmaps -n "$ns" --as=alice >/dev/null || fail "alice cannot list configmaps after the binding"
[ "$(kubectl auth can-i delete configmaps -n "$ns" --as=alice || true)" = no ] ||
  fail "alice may delete configmaps with a get/list role"
echo "ok - RBAC enforced"

# Leases and Events are served (leader election and controller Events).
kubectl create -n "$ns" -f - >/dev/null <<YAML
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: probe}
spec: {holderIdentity: test, leaseDurationSeconds: 15}
YAML
[ "$(kubectl get lease probe -n "$ns" -o jsonpath='{.spec.holderIdentity}')" = test ] || fail "Lease not stored"
echo "ok - Leases served"
