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
    bootd: {dhcp: {mode: proxy, interface: eno1, serverAddress: 10.1.0.1}}
  - name: r2
    network: {subnet: 10.2.0.0/24, pool: {start: 10.2.0.10, end: 10.2.0.20}, router: 10.2.0.1}
    bootd: {dhcp: {mode: server, interface: eno2, serverAddress: 10.2.0.1}}
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
# The check itself must be able to fail: a field bootd does not know (past
# the schema, which refuses it first).
"$HELM" template rb "$CHART" "${KV[@]}" --skip-schema-validation --set bootd.config.tftp.rootDir=/x > "$work/bad.yaml"
if "$CONFIG_CHECK" "$work/bad.yaml" "$work/cfg" 2>"$work/bad.err"; then fail "unknown bootd field accepted"; fi
grep -q rootDir "$work/bad.err" || fail "error names the field"

step "one pool definition: racks[].network feeds the controller and bootd; proxy racks have none"
# values.yaml defines the example rack's pool once (network), never as bootd's dhcp.pools.
if grep -v '^ *#' "$CHART/values.yaml" | contains -E 'pools:|rangeStart'; then fail "values.yaml defines a pool twice"; fi
bootd_yaml() {  # bootd_yaml <rendered> <rack>: that rack's bootd.yaml
  awk -v n="name: rb-rackboot-bootd-$2" '$0 ~ n"$" {on=1} on && /^---/ {exit} on' "$1"
}
bootd_yaml "$work/racks-out.yaml" r2 | contains -x '        rangeStart: 10.2.0.10' || fail "r2's pool not rendered into bootd.yaml"
bootd_yaml "$work/racks-out.yaml" r2 | contains 'router: 10.2.0.1' || fail "r2's router not in bootd's pool"
if bootd_yaml "$work/racks-out.yaml" r1 | contains 'pools:'; then fail "the proxy rack r1 got a pool"; fi
sed -n '/controller.yaml: |/,/^---/p' "$work/racks-out.yaml" > "$work/controller.yaml"
contains -x '      - name: r1' "$work/controller.yaml" || fail "proxy rack listed for the controller"
awk '/- name: r1$/{getline; print; exit}' "$work/controller.yaml" | contains -x '      - name: r2' ||
  fail "the proxy rack r1 has network fields in controller.yaml"
contains -F 'pool: {start: 10.2.0.10, end: 10.2.0.20}' "$work/controller.yaml" || fail "r2's pool for the controller"
must_fail() {  # must_fail <message> <helm template args>...
  local msg=$1; shift
  if "$HELM" template rb "$CHART" "${KV[@]}" "$@" > "$work/fail.out" 2>&1; then fail "accepted: $*"; fi
  contains -F "$msg" "$work/fail.out" || { cat "$work/fail.out"; fail "no '$msg' for: $*"; }
}
must_fail 'rack "p": network.pool is for dhcp.mode server' \
  --set-json 'racks=[{"name":"p","network":{"subnet":"10.1.0.0/24","pool":{"start":"10.1.0.10","end":"10.1.0.20"}},"bootd":{"dhcp":{"mode":"proxy","interface":"eno1"}}}]'
must_fail 'rack "s": dhcp.mode server needs network.pool' --set-json 'racks=[{"name":"s","bootd":{"dhcp":{"mode":"server","interface":"eth0"}}}]'
reject --set-json 'racks=[{"name":"s","network":{"pool":{"start":"10.0.0.1","end":"10.0.0.2"}}}]'

step "per-rack checksums: one rack's edit rolls that rack only, shared config rolls all"
checksums() {  # prints "<rack> <checksum>" per DaemonSet
  "$HELM" template rb "$CHART" "${KV[@]}" -f "$work/racks.yaml" "$@" |
    awk '/^kind: DaemonSet$/{ds=1} ds && /^  name: /{name=$2} ds && /checksum\/config:/{print name, $2; ds=0}'
}
checksums > "$work/sum.base"
[ "$(wc -l < "$work/sum.base")" = 2 ] || { cat "$work/sum.base"; fail "a checksum per rack DaemonSet"; }
[ "$(awk '{print $2}' "$work/sum.base" | sort -u | wc -l)" = 2 ] || fail "racks share one checksum"
changed() { diff "$work/sum.base" "$1" | grep '^>' | awk '{print $2}' | sed 's/rb-rackboot-bootd-//' | sort | tr '\n' ' '; }
sed 's/interface: eno2/interface: eno9/' "$work/racks.yaml" > "$work/racks-r2.yaml"
checksums -f "$work/racks-r2.yaml" > "$work/sum.r2"
[ "$(changed "$work/sum.r2")" = "r2 " ] || fail "editing r2 rolled: $(changed "$work/sum.r2")"
sed 's/end: 10.2.0.20/end: 10.2.0.30/' "$work/racks.yaml" > "$work/racks-pool.yaml"
checksums -f "$work/racks-pool.yaml" > "$work/sum.pool"
[ "$(changed "$work/sum.pool")" = "r2 " ] || fail "editing r2's pool rolled: $(changed "$work/sum.pool")"
checksums --set bootd.config.logLevel=debug > "$work/sum.shared"
[ "$(changed "$work/sum.shared")" = "r1 r2 " ] || fail "editing bootd.config rolled: $(changed "$work/sum.shared")"
checksums --set controller.logLevel=debug > "$work/sum.ctl"
[ -z "$(changed "$work/sum.ctl")" ] || fail "a controller-only edit rolled bootd: $(changed "$work/sum.ctl")"

step "ports on the node: none of the usual node agents' ports, every one documented in values.yaml"
# node-exporter, kubelet, kube-proxy, NodeLocal DNSCache (health 8080,
# metrics 9253), cAdvisor 8080, Calico, Cilium, MetalLB, ingress-nginx on
# hostNetwork, kube-vip, etcd, scheduler, controller-manager.
agents=" 9100 10248 10250 10255 10249 10256 10257 10259 8080 9253 9091 9099 4240 4244 9234 9962 9963 9964 9965 7472 7946 80 443 8443 10254 2112 2379 2380 2381 "
bootd_yaml "$work/default.yaml" rack-a > "$work/default-bootd.yaml"
ports=$(sed -n 's/^ *\(listen\|tlsListen\): .*:\([0-9]*\)$/\2/p' "$work/default-bootd.yaml" | sort -u | tr '\n' ' ')
[ "$(wc -w <<<"$ports")" = 3 ] || fail "expected TFTP, HTTP and metrics listeners, got: $ports"
for p in $ports 67 4011; do
  case "$agents" in *" $p "*) fail "bootd's default port $p is a node agent's" ;; esac
  grep '^ *#' "$CHART/values.yaml" | contains -E "(^|[^0-9])$p/(tcp|udp)" || fail "port $p not documented in values.yaml"
done
metrics_port=$(awk '/^    metrics:$/ {getline; sub(/.*:/, ""); print}' "$work/default-bootd.yaml")
[ -n "$metrics_port" ] || fail "no metrics.listen in bootd.yaml"
awk '/^kind: DaemonSet$/,/^---/' "$work/default.yaml" | contains -x "              containerPort: $metrics_port" ||
  fail "the DaemonSet's metrics port is not bootd's metrics.listen"

step "priority: bootd gets the chart's PriorityClass, below system-*; the controller none unless set"
pc=$(awk '/^kind: PriorityClass$/,/^---/' "$work/default.yaml")
contains -x 'value: 1000000000' <<<"$pc" || fail "PriorityClass value"
contains -x '  name: rb-rackboot-bootd' <<<"$pc" || fail "PriorityClass name"
awk '/^kind: DaemonSet$/,/^---/' "$work/default.yaml" | contains -x '      priorityClassName: rb-rackboot-bootd' ||
  fail "bootd uses the chart's class"
if awk '/^kind: Deployment$/,/^---/' "$work/default.yaml" | contains priorityClassName; then fail "controller class by default"; fi
"$HELM" template rb "$CHART" "${KV[@]}" --set bootd.priorityClassName=system-node-critical \
  --set controller.priorityClassName=infra > "$work/prio.yaml"
[ "$(grep -c '^kind: PriorityClass$' "$work/prio.yaml" || true)" = 0 ] || fail "a PriorityClass although one is named"
contains -x '      priorityClassName: system-node-critical' "$work/prio.yaml" || fail "bootd.priorityClassName"
contains -x '      priorityClassName: infra' "$work/prio.yaml" || fail "controller.priorityClassName"

step "artifact cache on by default: bootd's artifactCacheDir on an emptyDir with a size limit"
contains -x '      artifactCacheDir: /var/cache/rackboot/artifacts' "$work/default-bootd.yaml" || fail "cache dir in bootd.yaml"
ds=$(awk '/^kind: DaemonSet$/,/^---/' "$work/default.yaml")
contains -x '              mountPath: /var/cache/rackboot/artifacts' <<<"$ds" || fail "cache mounted"
contains -x '            sizeLimit: 10Gi' <<<"$ds" || fail "cache emptyDir size limit"
"$HELM" template rb "$CHART" "${KV[@]}" --set bootd.artifactCache.enabled=false > "$work/nocache.yaml"
# bootd's config and its pod, not the dashboard's panel texts that name the setting.
if contains artifactCacheDir < <(bootd_yaml "$work/nocache.yaml" rack-a) ||
  awk '/^kind: DaemonSet$/,/^---/' "$work/nocache.yaml" | contains artifact-cache; then fail "cache off"; fi
"$HELM" template rb "$CHART" "${KV[@]}" --set bootd.artifactCache.hostPath=/var/cache/rb | contains -x '            path: /var/cache/rb/rack-a' ||
  fail "cache on a hostPath per rack"

step "Secrets: HTTPS and mTLS material mounted read-only, mode 0440; ConfigMaps hold paths only"
sed 's/^  - name: r2$/  - name: r2\n    httpsSecretName: https-r2/' "$work/racks.yaml" > "$work/racks-https.yaml"
"$HELM" template rb "$CHART" "${KV[@]}" -f "$work/racks-https.yaml" --set bootd.httpsSecretName=https-all > "$work/https.yaml"
bootd_yaml "$work/https.yaml" r1 | contains -x '      tlsCertFile: /etc/rackboot/https/tls.crt' || fail "tlsCertFile"
bootd_yaml "$work/https.yaml" r1 | contains -x '      tlsListen: 0.0.0.0:8467' || fail "default tlsListen"
awk '/^kind: DaemonSet$/,/^---/' "$work/https.yaml" > "$work/https-ds.yaml"
contains -x '            secretName: https-all' "$work/https-ds.yaml" || fail "bootd.httpsSecretName mounted"
contains -x '            secretName: https-r2' "$work/https-ds.yaml" || fail "racks[].httpsSecretName overrides"
[ "$(grep -c '^            defaultMode: 0440$' "$work/https-ds.yaml")" = 4 ] || fail "mTLS and HTTPS Secrets at 0440"
[ "$(grep -A2 -x '            - name: https' "$work/https-ds.yaml" | grep -c 'readOnly: true')" = 2 ] || fail "HTTPS read-only"
awk '/^kind: Deployment$/,/^---/' "$work/default.yaml" | contains -x '            defaultMode: 0440' || fail "controller Secret at 0440"
[ "$(grep -c '^        fsGroup: ' "$work/default.yaml")" = 2 ] || fail "fsGroup makes the 0440 files readable"
for f in "$work/default.yaml" "$work/https.yaml"; do
  awk '/^kind: ConfigMap$/,/^---/' "$f" | grep -v grafana | contains -E 'BEGIN|PRIVATE KEY|tls\.key:' && fail "key material in a ConfigMap"
done
"$HELM" template rb "$CHART" "${KV[@]}" --set tls.generate=false --set tls.controllerSecretName=ctl-pki \
  --set 'racks[0].name=rack-a' --set 'racks[0].tlsSecretName=rack-a-pki' > "$work/own.yaml"
contains -x '            secretName: ctl-pki' "$work/own.yaml" || fail "existing controller Secret"
contains -x '            secretName: rack-a-pki' "$work/own.yaml" || fail "existing rack Secret"
must_fail 'set tls.generate=false' --set tls.controllerSecretName=ctl-pki
must_fail 'http.tlsListen needs a certificate' --set bootd.config.http.tlsListen=0.0.0.0:8467

step "discovery: controller.yaml and a create-only Role when on, no create on machines when off"
machine_creates() { grep -A1 -F 'resources: ["machines"]' "$1" | grep -c -F '"create"' || true; }
for watch in "" team-a; do
  "$HELM" template rackboot "$CHART" "${KV[@]}" --namespace rackboot-system --set "controller.watchNamespace=$watch" \
    --show-only templates/controller-rbac.yaml > "$work/rbac-off.yaml"
  [ "$(machine_creates "$work/rbac-off.yaml")" = 0 ] || fail "create on machines without discovery (watchNamespace '$watch')"
done
if contains discovery "$work/default.yaml"; then fail "discovery on by default"; fi
"$HELM" template rackboot "$CHART" "${KV[@]}" --namespace rackboot-system --set controller.discovery.enabled=true \
  --show-only templates/controller-rbac.yaml > "$work/rbac-discovery.yaml"
diff -u "$SRC/tests/integration/helm/rbac-discovery.golden.yaml" "$work/rbac-discovery.yaml" ||
  fail "RBAC with discovery differs from rbac-discovery.golden.yaml (review, then copy)"
[ "$(machine_creates "$work/rbac-discovery.yaml")" = 1 ] || fail "discovery: one create on machines"
"$HELM" template rb "$CHART" "${KV[@]}" --namespace rb-ns --set controller.discovery.enabled=true \
  --set controller.discovery.maxMachines=50 | sed -n '/controller.yaml: |/,/^---/p' > "$work/discovery.yaml"
contains -x '    discovery:' "$work/discovery.yaml" || fail "discovery in controller.yaml"
contains -x '      namespace: rb-ns' "$work/discovery.yaml" || fail "discovery in the release namespace by default"
contains -x '      maxMachines: 50' "$work/discovery.yaml" || fail "discovery.maxMachines"
must_fail 'would never see the Machines' --set controller.discovery.enabled=true --set controller.watchNamespace=a \
  --set controller.discovery.namespace=b

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
reject --set bootd.priorityClass.value=2000000000
reject --set bootd.artifactCache.size=1Gi
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
