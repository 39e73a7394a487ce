# shellcheck shell=bash
# What the cluster e2e tests share: the chart on the node of scripts/cluster
# with the locally built images, the rack's provisioning link inside the
# node's namespace, and the diagnostics a failure prints. Sourced by
# chart_on_node.sh and vm_boot_on_node.sh after SRC is set.

cluster=$SRC/scripts/cluster
NS=rackboot
REL=rb
RACK=rack-a
NODE=rackboot-node
NODE_NETNS=/run/netns/rackboot-node
# scripts/cluster's state directory, containerd socket and certificates.
STATE=/var/lib/rackboot-cluster
CTR=(ctr --address /run/rackboot-cluster/containerd.sock -n k8s.io)
# The rack's subnet: it exists only on the node's rack link and in the
# namespaces a test attaches to it.
RACK_IP=10.77.0.1

log() { echo "${TEST_NAME:-cluster-e2e}: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
k() { "$cluster" kubectl "$@"; }

node_diagnostics() {
  log "diagnostics:"
  "$cluster" kubectl get pods -A -o wide >&2 2>&1 || true
  "$cluster" kubectl -n "$NS" describe pods >&2 2>&1 | tail -n 60 || true
  "$cluster" kubectl -n "$NS" logs -l app.kubernetes.io/component=bootd --tail=30 >&2 2>&1 || true
  "$cluster" kubectl -n "$NS" logs -l app.kubernetes.io/component=controller --tail=30 >&2 2>&1 || true
}

# The images of the release tree (built once if missing; run
# scripts/images/build after changing the code) and helm. Sets HELM.
node_prerequisites() {
  [ -f "$SRC/build/release/images/bootd.oci.tar" ] && [ -f "$SRC/build/release/images/controller.oci.tar" ] ||
    "$SRC/scripts/images/build" >&2
  HELM=$("$SRC/scripts/helm/build" --print-path)
}

# The rack's provisioning link inside the node's namespace: a veth whose end
# $RACK carries $RACK_IP/24 (bootd, host network, serves DHCP on it); the
# peer $RACK-lab is where a lab attaches.
node_rack_link() {
  "$cluster" exec ip link add "$RACK" type veth peer name "$RACK-lab"
  "$cluster" exec ip addr add "$RACK_IP/24" dev "$RACK"
  "$cluster" exec ip link set "$RACK" up
  "$cluster" exec ip link set "$RACK-lab" up
  k label node "$NODE" "rackboot.io/rack=$RACK" --overwrite >/dev/null
}

# node_values FILE [BOOTD_USER_LINE [RACK_HTTP_EXTRA_LINE]]: chart values for
# the local images and the rack on $RACK, host paths below the cluster's
# state directory (scripts/cluster down removes them).
node_values() {
  local file=$1 bootd_user=${2:-} http_extra=${3:-}
  cat >"$file" <<EOF
controller:
  image: {tag: dev, pullPolicy: Never}
bootd:
  image: {tag: dev, pullPolicy: Never}
  $bootd_user
  hostStateDir: $STATE/hostpath/state
  artifactsHostPath: $STATE/hostpath/artifacts
racks:
  - name: $RACK
    network:
      subnet: 10.77.0.0/24
      pool: {start: 10.77.0.100, end: 10.77.0.199}
      router: $RACK_IP
      dns: [$RACK_IP]
    bootd:
      dhcp:
        mode: server
        interface: $RACK
        serverAddress: $RACK_IP
        pools:
          - subnet: 10.77.0.0/24
            rangeStart: 10.77.0.100
            rangeEnd: 10.77.0.199
            router: $RACK_IP
            dnsServers: [$RACK_IP]
      http:
        publicUrl: http://$RACK_IP:8080
        $http_extra
EOF
}

# Bounds, not timings: a loaded 2-core machine starts pods slowly.
# Waits until the controller Deployment and the bootd DaemonSet are rolled
# out and every pod of the release is Ready; sets CONTROLLER_DEPLOY, BOOTD_DS.
node_wait_release() {
  CONTROLLER_DEPLOY=$(k -n "$NS" get deployment -l app.kubernetes.io/component=controller -o name)
  [ -n "$CONTROLLER_DEPLOY" ] || fail "no controller Deployment"
  k -n "$NS" rollout status "$CONTROLLER_DEPLOY" --timeout=300s >&2
  BOOTD_DS=$(k -n "$NS" get daemonset -l app.kubernetes.io/component=bootd -o name)
  [ -n "$BOOTD_DS" ] || fail "no bootd DaemonSet"
  k -n "$NS" rollout status "$BOOTD_DS" --timeout=300s >&2
  k -n "$NS" wait pod -l "app.kubernetes.io/instance=$REL" --for=condition=Ready --timeout=300s >&2
  log "pods: $(k -n "$NS" get pods --no-headers | awk '{print $1 "=" $2 "/" $3}' | tr '\n' ' ')"
}

# The host pid of a pod's first container.
node_container_pid() {
  local cid
  cid=$(k -n "$NS" get pod "$1" -o 'jsonpath={.status.containerStatuses[0].containerID}')
  "${CTR[@]}" tasks ls | awk -v c="${cid#containerd://}" '$1 == c {print $2}'
}
