#!/usr/bin/env bash
# Renders helm/rackboot without a cluster and checks what it renders.
# Usage: chart_render_test.sh <source dir> <rendered_config_check binary>
set -euo pipefail
SRC=$1
CONFIG_CHECK=$2
source "$SRC/tests/integration/helm/lib.sh"

step "helm lint (defaults, cert-manager, one namespace, no racks)"
"$HELM" lint --strict "${KV[@]}" "$CHART"
"$HELM" lint --strict "${KV[@]}" "$CHART" --set certManager.enabled=true --set serviceMonitor.enabled=true
"$HELM" lint --strict "${KV[@]}" "$CHART" --set controller.watchNamespace=team-a
"$HELM" lint --strict "${KV[@]}" "$CHART" --set racks=null

step "helm template: defaults"
"$HELM" template rb "$CHART" "${KV[@]}" --namespace rb-ns > "$work/default.yaml"
count() { grep -c "^kind: $1\$" "$2" || true; }
[ "$(count Deployment "$work/default.yaml")" = 1 ] || fail "one controller Deployment"
[ "$(count DaemonSet "$work/default.yaml")" = 1 ] || fail "one bootd DaemonSet for the one default rack"
[ "$(count Secret "$work/default.yaml")" = 3 ] || fail "CA, controller and rack-a Secrets"
grep -q 'replicas: 2' "$work/default.yaml" || fail "2 controller replicas"
grep -q 'grafana_dashboard: "1"' "$work/default.yaml" || fail "dashboard ConfigMap label"
grep -q '"title": "rackboot boot progress"' "$work/default.yaml" || fail "dashboard JSON in the ConfigMap"
# Every object carries the recommended labels.
for l in name instance version component part-of managed-by; do
  n=$(grep -c "app.kubernetes.io/$l:" "$work/default.yaml")
  [ "$n" -ge "$(grep -c '^kind:' "$work/default.yaml")" ] || fail "label app.kubernetes.io/$l missing somewhere ($n)"
done

step "bootd DaemonSet: host network, node label, capabilities, read-only root, host path"
ds=$(awk '/^kind: DaemonSet$/,/^---$/' "$work/default.yaml")
grep -q 'hostNetwork: true' <<<"$ds" || fail hostNetwork
grep -q 'rackboot.io/rack: rack-a' <<<"$ds" || fail "node selector"
grep -q 'drop: \["ALL"\]' <<<"$ds" || fail "drop ALL"
grep -q 'add: \["NET_BIND_SERVICE"\]$' <<<"$ds" || fail "only NET_BIND_SERVICE by default"
grep -q 'readOnlyRootFilesystem: true' <<<"$ds" || fail readOnlyRootFilesystem
grep -q 'path: /var/lib/rackboot/rack-a' <<<"$ds" || fail "state hostPath per rack"
grep -q 'automountServiceAccountToken: false' <<<"$ds" || fail "bootd has no API token"
"$HELM" template rb "$CHART" "${KV[@]}" --set bootd.netRaw=true | contains 'add: \["NET_BIND_SERVICE", "NET_RAW"\]' ||
  fail "NET_RAW when configured"
# bootd as uid 65532; the init container hands it the state hostPath (uid 0,
# CHOWN + NET_BIND_SERVICE only); none when bootd runs as root.
grep -q 'runAsUser: 65532' <<<"$ds" || fail "bootd runs as 65532 by default"
grep -q 'args: \["prepare-state-dir", "--owner", "65532:65532", "/var/lib/rackboot"\]' <<<"$ds" ||
  fail "state-dir init container"
grep -q 'add: \["CHOWN", "NET_BIND_SERVICE"\]$' <<<"$ds" || fail "init container: CHOWN and NET_BIND_SERVICE only"
"$HELM" template rb "$CHART" "${KV[@]}" --set bootd.runAsUser=0 | awk '/^kind: DaemonSet$/,/^---$/' |
  { ! grep -q initContainers; } || fail "init container with bootd.runAsUser=0"

step "rendered configs load with the binaries' config loaders"
mkdir -p "$work/cfg"
"$CONFIG_CHECK" "$work/default.yaml" "$work/cfg"

step "one DaemonSet, ConfigMap and client certificate per rack"
cat > "$work/racks.yaml" <<'VALUES'
racks:
  - name: r1
    network: {subnet: 10.1.0.0/24, pool: {start: 10.1.0.10, end: 10.1.0.20}}
    bootd: {dhcp: {mode: proxy, interface: eno1, serverAddress: 10.1.0.1}}
  - name: r2
    network: {subnet: 10.2.0.0/24, pool: {start: 10.2.0.10, end: 10.2.0.20}, router: 10.2.0.1}
    bootd: {dhcp: {mode: proxy, interface: eno2, serverAddress: 10.2.0.1}}
VALUES
"$HELM" template rb "$CHART" "${KV[@]}" --namespace rb-ns -f "$work/racks.yaml" > "$work/racks-out.yaml"
[ "$(count DaemonSet "$work/racks-out.yaml")" = 2 ] || fail "2 DaemonSets"
grep -q 'interface: eno2' "$work/racks-out.yaml" || fail "per-rack bootd config merged"
grep -q 'name: rb-rackboot-bootd-r2-tls' "$work/racks-out.yaml" || fail "per-rack Secret"
# The client certificate names the rack (the controller authorizes on it).
awk '/name: rb-rackboot-bootd-r2-tls/,/^---/' "$work/racks-out.yaml" | sed -n 's/^  tls.crt: //p' | base64 -d |
  openssl x509 -noout -subject | contains 'CN *= *bootd:r2' || fail "CN=bootd:r2"
awk '/name: rb-rackboot-controller-tls$/,/^---/' "$work/racks-out.yaml" | sed -n 's/^  tls.crt: //p' | base64 -d |
  openssl x509 -noout -ext subjectAltName | contains 'DNS:rb-rackboot-controller.rb-ns.svc' || fail "controller SAN"
grep -A8 'racks:' "$work/racks-out.yaml" | contains 'name: r1' || fail "controller.yaml racks"
"$CONFIG_CHECK" "$work/racks-out.yaml" "$work/cfg" | tee "$work/cfg.out"
grep -q 'rb-rackboot-controller/controller.yaml: ok, 2 racks' "$work/cfg.out" || fail "controller config with 2 racks"
grep -q 'rb-rackboot-bootd-r2/bootd.yaml: ok, rack r2' "$work/cfg.out" || fail "bootd config of r2"
# The check itself must be able to fail: a field bootd does not know.
"$HELM" template rb "$CHART" "${KV[@]}" --set bootd.config.tftp.rootDir=/x > "$work/bad.yaml"
if "$CONFIG_CHECK" "$work/bad.yaml" "$work/cfg" 2>"$work/bad.err"; then fail "unknown bootd field accepted"; fi
grep -q rootDir "$work/bad.err" || fail "error names the field"

step "cert-manager instead of generated Secrets"
"$HELM" template rb "$CHART" "${KV[@]}" -f "$work/racks.yaml" --set certManager.enabled=true > "$work/cm.yaml"
[ "$(count Certificate "$work/cm.yaml")" = 4 ] || fail "CA + controller + 2 rack Certificates"
[ "$(count Secret "$work/cm.yaml")" = 0 ] || fail "no chart-generated Secrets with cert-manager"
grep -q 'commonName: bootd:r1' "$work/cm.yaml" || fail "rack CN via cert-manager"

step "ServiceMonitor with the stack's selector label"
"$HELM" template rb "$CHART" "${KV[@]}" --set serviceMonitor.enabled=true --set serviceMonitor.labels.release=kps > "$work/sm.yaml"
awk '/^kind: ServiceMonitor$/,/^---/' "$work/sm.yaml" | contains 'release: kps' || fail "ServiceMonitor labels"
[ "$(grep -c 'rackboot.io/scrape: "true"' "$work/sm.yaml")" -ge 3 ] || fail "both Services selected"

step "values.schema.json rejects bad values"
reject --set 'racks[0].name=Rack_A'
reject --set controller.replica=3
reject --set bootd.config.rack=x
reject --set controller.logLevel=verbose
reject --set 'racks[0].network.subnet=10.0.0.0'

step "RBAC matches the reviewed golden file"
"$HELM" template rackboot "$CHART" "${KV[@]}" --namespace rackboot-system \
  --show-only templates/controller-rbac.yaml > "$work/rbac.yaml"
diff -u "$SRC/tests/integration/helm/rbac.golden.yaml" "$work/rbac.yaml" || fail "RBAC differs from rbac.golden.yaml (review, then copy)"
if grep -v '^ *#' "$work/rbac.yaml" | contains '\*'; then fail "wildcard in RBAC"; fi
if grep -q secrets "$work/rbac.yaml"; then fail "controller RBAC mentions secrets"; fi

step "Secrets: namespaced Roles only (release namespace by default, else controller.secretNamespaces)"
secret_rbac() {
  "$HELM" template rackboot "$CHART" "${KV[@]}" --namespace rackboot-system "$@" \
    --show-only templates/controller-secret-rbac.yaml > "$work/secret-rbac.yaml"
}
secret_rbac
if contains -E 'kind: Cluster(Role|RoleBinding)' "$work/secret-rbac.yaml"; then fail "Secrets through a ClusterRole"; fi
[ "$(grep -c '^kind: Role$' "$work/secret-rbac.yaml")" = 1 ] || fail "one Role by default"
contains -x '  namespace: rackboot-system' "$work/secret-rbac.yaml" || fail "default Role not in the release namespace"
contains -F 'verbs: ["get", "list", "watch"]' "$work/secret-rbac.yaml" || fail "secret verbs"
if grep -v '^ *#' "$work/secret-rbac.yaml" | contains -E '\*|create|update|delete|patch'; then fail "secret RBAC writes"; fi
secret_rbac --set 'controller.secretNamespaces={team-a,team-b}'
[ "$(grep -c '^kind: Role$' "$work/secret-rbac.yaml")" = 2 ] || fail "a Role per secretNamespace"
contains -x '  namespace: team-b' "$work/secret-rbac.yaml" || fail "team-b Role"
secret_rbac --set controller.watchNamespace=team-c
contains -x '  namespace: team-c' "$work/secret-rbac.yaml" || fail "watchNamespace is the default secret namespace"
reject --set 'controller.secretNamespaces={Team_A}'

step "chart copies (crds/, dashboards/) and deploy/manifests are up to date"
HELM=$HELM "$SRC/scripts/helm/render-deploy" --check

echo "PASS"
