#!/usr/bin/env bash
# The whole product as pods on a real node (scripts/cluster), a QEMU VM
# booting through the bootd pod, the pods' posture, and day-2 operations
# (issue 14, items 3-5):
#   1. `helm install` with the local images; the rack's link from the node's
#      namespace into a lab namespace (scripts/lab/lib.sh: a bridge, the VM's
#      tap, an IPv6 RA so iPXE does not wait for routers); 10.77.0.0/24
#      exists only in those two namespaces. The rack's state directory is
#      there before, root-owned with a root-owned file in it (what the
#      kubelet and a bootd that ran as root leave).
#   1b. Posture, measured: bootd's process (host /proc) has CapEff and
#      CapBnd exactly NET_BIND_SERVICE, uid/gid 65532, NoNewPrivs, a
#      read-only root, no token; its init container handed the state
#      directory to 65532; the controller runs as 65532 with no
#      capabilities, its RBAC as the apiserver enforces it (no Lease create,
#      no Secrets cluster-wide), the leader holds the chart's Lease.
#   2. A real Prometheus in the node's namespace scrapes the targets the
#      chart's ServiceMonitor selects (tests/support/servicemonitor_scrape_config.py
#      chooses them from the Services and Endpoints as the Prometheus
#      Operator does; Debian's Prometheus has no Kubernetes discovery).
#   3. BootProfiles and Machines adapted from deploy/examples/ (the lab's
#      kernel and initrd, the VMs' MACs); VM 1 (OVMF PXE: TFTP snponly.efi,
#      then HTTP, every stage) PXE-boots through the bootd pod until
#      `kubectl get machines` says Provisioned; then every query of the
#      Grafana dashboard returns data.
#   4. `helm test` with a locally built busybox image (no registry here).
#   5. VM 2 (SeaBIOS + iPXE ROM) boots across `helm upgrade` to a new bootd image tag: it gets its
#      lease, script, kernel and initrd from the old pod and waits at a gate
#      (rb.gate, served in the lab) before its booted callback; the DaemonSet
#      rolls, the new pod reads the same leases from the lease journal on the
#      state hostPath; the gate opens and the callback reaches the new pod.
#      Every stage of the boot is in the Machine's status. The new pod is a
#      bootd restart as uid 65532: same posture, same leases, the journal
#      still 65532's; the leader keeps the Lease across the upgrade.
#   6. `kubectl drain` evicts one controller replica and is refused the
#      other by the PodDisruptionBudget; leadership stays with the pod kept.
#   7. `helm uninstall` removes everything it installed, the leader election
#      Lease included; nothing but the namespace's own objects (and Events)
#      is left; CRDs and Machines stay (helm/rackboot/README.md).
# Everything (lab namespaces, QEMU, the node) is removed on every exit path,
# unless KEEP=1.
#
# Usage: tests/e2e/cluster/vm_boot_on_node.sh SRC_DIR
#   needs root, scripts/setup --cluster --lab, prometheus; builds
#   build/release/images (scripts/images/build) if they are missing
set -euo pipefail
SRC=$(cd "${1:?usage: $0 SRC_DIR}" && pwd)
NODE_LOG_NAME=vm_boot_on_node
# shellcheck source=scripts/lab/lib.sh
source "$SRC/scripts/lab/lib.sh"
# shellcheck source=scripts/lab/node.sh
source "$SRC/scripts/lab/node.sh"

MAC1=52:54:00:7b:0e:01
MAC2=52:54:00:7b:0e:02
VM1_IP=10.77.0.21
GATE_URL=http://10.77.0.2:8081/open
PROM_PORT=9091
UPGRADE_TAG=dev-upgrade

lab_init  # LAB_DIR, and lab_cleanup on exit; replaced by cleanup below
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ "$rc" != 0 ]; then
    node_diagnostics
    k -n "$MACHINES_NS" get machines -o wide >&2 2>&1
    for f in "$LAB_DIR"/*.serial; do
      [ -f "$f" ] && { log "--- $(basename "$f") (last lines)"; tr -d '\r' <"$f" | grep -v '^[[:space:]]*$' | tail -n 12 >&2; }
    done
    [ -f "$LAB_DIR/prometheus.log" ] && { log "--- prometheus.log"; tail -n 15 "$LAB_DIR/prometheus.log" >&2; }
    [ -f "$LAB_DIR/drain.log" ] && { log "--- drain.log"; tail -n 15 "$LAB_DIR/drain.log" >&2; }
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    log "KEEP=1: the node and the lab stay up (scripts/cluster down; lab dir $LAB_DIR)"
    exit "$rc"
  fi
  "$cluster" down >&2
  (exit "$rc")
  lab_cleanup  # kills QEMU and the lab's servers, deletes the lab's namespaces, exits rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for t in prometheus promtool python3 curl; do command -v "$t" >/dev/null || fail "missing $t (scripts/setup)"; done
node_lock
node_prerequisites
busybox_image=$("$SRC/scripts/images/busybox")
lab_build_initrd
lab_detect_accel
eval "$("$SRC/scripts/k8s-testenv/build" --cluster --print-env)"  # KUBECTL
started=$SECONDS
phase_log() { log "[$((SECONDS - started))s] $*"; }

"$cluster" up --images "$SRC/build/release/images"
"${CTR[@]}" images import "$busybox_image" >/dev/null

# --- the lab: a bridge, the rack link from the node, a gate, an RA --------
node_rack_link
node_lab_attach
# The gate (rb.gate of VM 2) answers once $LAB_DIR/gate/open exists.
ip -n "$LAB_LAN" addr add 10.77.0.2/24 dev br0
mkdir -p "$LAB_DIR/gate"
lab_spawn lan gate.log busybox httpd -f -p 10.77.0.2:8081 -h "$LAB_DIR/gate"
lab_expect_running "$LAB_LAST_PID" gate.log
node_lab_artifacts

# --- helm install ---------------------------------------------------------
# The rack's state directory as the kubelet makes it (root:root 0755), with
# a file a bootd running as root would have left: the init container must
# hand both to uid 65532.
install -d -o 0 -g 0 -m 0755 "$STATE/hostpath/state/$RACK"
install -o 0 -g 0 -m 0644 /dev/null "$STATE/hostpath/state/$RACK/left-by-a-root-bootd"
values=$LAB_DIR/values.yaml
# The kernel comes through bootd's artifact cache (an upstream URL), so the
# dashboard's cache panel has data; the chart turns the cache on by default.
node_values "$values"
cat >>"$values" <<EOF
serviceMonitor: {interval: 1s}
tests: {image: rackboot.local/busybox:static, imagePullPolicy: Never}
EOF
"$cluster" exec "$HELM" install "$REL" "$SRC/helm/rackboot" -n "$NS" --create-namespace -f "$values" >/dev/null
node_wait_release
phase_log "release installed and Ready"
bootd_pod=$(k -n "$NS" get pods -l app.kubernetes.io/component=bootd -o 'jsonpath={.items[0].metadata.name}')
node_check_bootd_posture "$bootd_pod"
node_check_state_dir "$bootd_pod"
node_check_controller_posture_and_rbac

# --- Prometheus, scraping what the chart's ServiceMonitor selects ---------
# Debian's Prometheus has no Kubernetes service discovery: the targets are
# chosen from the Services and Endpoints as the Prometheus Operator chooses
# them, into file_sd files (tests/support/servicemonitor_scrape_config.py).
# Chosen once, with the release Ready: the dashboard is checked before the
# upgrade and the drain change the pods.
"$HELM" template "$REL" "$SRC/helm/rackboot" -n "$NS" -f "$values" --kube-version 1.34.0 \
  --set serviceMonitor.enabled=true \
  --show-only templates/servicemonitor.yaml >"$LAB_DIR/servicemonitor.yaml"
# The endpoints controller fills the Endpoints after the pods are Ready.
ready_endpoints() {
  local svc=$1 want=$2
  [ "$(k -n "$NS" get endpoints "$svc" -o 'jsonpath={.subsets[*].addresses[*].ip}' 2>/dev/null | wc -w)" = "$want" ]
}
wait_bound 120 "bootd's Service endpoints" ready_endpoints "$REL-rackboot-bootd" 1
wait_bound 120 "the controller Service's endpoints" ready_endpoints "$REL-rackboot-controller" 2
k get services,endpoints -A -o json 2>/dev/null >"$LAB_DIR/objects.json"
python3 "$SRC/tests/support/servicemonitor_scrape_config.py" "$LAB_DIR/servicemonitor.yaml" \
  --objects "$LAB_DIR/objects.json" --targets-dir "$LAB_DIR/targets" >"$LAB_DIR/prometheus.yml"
promtool check config "$LAB_DIR/prometheus.yml" >/dev/null
# In the node's namespace (pod IPs and the node IP are reachable only
# there); nsenter execs, so the pid is Prometheus' own (lab_cleanup kills it,
# scripts/cluster down would too).
nsenter --net="$NODE_NETNS" -- prometheus --config.file="$LAB_DIR/prometheus.yml" \
  --storage.tsdb.path="$LAB_DIR/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
  >"$LAB_DIR/prometheus.log" 2>&1 </dev/null &
LAB_PIDS+=($!)
scrape_jobs=$(k -n "$NS" get services -l "app.kubernetes.io/instance=$REL,rackboot.io/scrape=true" \
  -o 'jsonpath={.items[*].metadata.name}' | tr ' ' ',')
[ -n "$scrape_jobs" ] || fail "no Service carries rackboot.io/scrape=true"

# --- Machines and BootProfiles (deploy/examples/, adapted to the lab) -----
k create namespace "$MACHINES_NS" >/dev/null
{
  node_bootprofile lab-tiny ""
  node_bootprofile lab-tiny-gated " rb.gate=$GATE_URL"
  node_machine_uefi vm-1 "$MAC1" "$VM1_IP" lab-tiny
  node_machine_pool vm-2 "$MAC2" lab-tiny-gated
} >"$LAB_DIR/machines.yaml"
k apply -f "$LAB_DIR/machines.yaml" >/dev/null
k -n "$MACHINES_NS" wait machine/vm-1 machine/vm-2 --for=jsonpath='{.status.phase}'=Assigned --timeout=120s >/dev/null

wait_bound 120 "bootd holds both Machines' assignments" node_assignments_at_least 2

# --- VM 1 boots through the bootd pod -------------------------------------
phase_log "VM 1 ($MAC1) powers on"
lab_start_vm vm1 uefi-pxe "$MAC1" "$(node_uuid_of "$MAC1")"
wait_phase vm-1 Provisioned vm1
phase_log "vm-1 Provisioned"
k -n "$MACHINES_NS" get machines >&2
# Stage events are written in order: with booted, the earlier ones are there.
has_stages vm-1 dhcp_ack boot_file script kernel initrd booted || fail "vm-1: a stage is missing ($WAIT_DETAIL)"
grep -aq "RACKBOOT-BOOTED mac=$MAC1" "$LAB_DIR/vm1.serial" || fail "vm1: no boot marker on its console"
grep -aq "RACKBOOT-CALLBACK ok" "$LAB_DIR/vm1.serial" || fail "vm1: its booted callback did not succeed"
[ "$(k -n "$MACHINES_NS" get machine vm-1 -o 'jsonpath={.status.detected.firmware}')" = uefi ] ||
  fail "vm-1: detected firmware is not uefi"

# Every dashboard query returns data. One request for an artifact that does
# not exist: the HTTP errors panel counts real 4xx answers.
code=$(in_node curl -s -o /dev/null -w '%{http_code}' "http://$RACK_IP:8067/artifacts/no-such-artifact")
[ "$code" = 404 ] || fail "missing artifact answered $code, want 404"
in_node python3 "$SRC/tests/support/prometheus_dashboard_check.py" \
  --dashboard "$SRC/deploy/grafana/rackboot-boot-progress.json" --port "$PROM_PORT" --rack "$RACK" \
  --jobs "$scrape_jobs" --scrapes 2 --rate-interval 5m --finite >"$LAB_DIR/dashboard.out" 2>&1 ||
  { cat "$LAB_DIR/dashboard.out" >&2; fail "dashboard queries (Prometheus scraping $scrape_jobs)"; }
phase_log "dashboard: $(tail -n 1 "$LAB_DIR/dashboard.out") (jobs $scrape_jobs)"

# --- helm test ------------------------------------------------------------
"$cluster" exec "$HELM" test "$REL" -n "$NS" --timeout 300s >"$LAB_DIR/helm-test.out" 2>&1 ||
  { cat "$LAB_DIR/helm-test.out" >&2; fail "helm test"; }
grep -q 'Phase:.*Succeeded' "$LAB_DIR/helm-test.out" || { cat "$LAB_DIR/helm-test.out" >&2; fail "helm test ran no test"; }
phase_log "helm test passed"

# --- VM 2 boots across helm upgrade ---------------------------------------
old_pod=$bootd_pod
phase_log "VM 2 ($MAC2) powers on; bootd pod $old_pod"
lab_start_vm vm2 bios "$MAC2" "$(node_uuid_of "$MAC2")"
at_gate() {
  grep -aq "RACKBOOT-GATE waiting" "$LAB_DIR/vm2.serial" && return 0
  ! firmware_gave_up vm2 || fail "vm2: the firmware gave up"
  kill -0 "$LAB_VM_PID" 2>/dev/null || fail "vm2: QEMU exited before the gate"
  return 1
}
wait_bound "$BOOT_BOUND" "VM 2 at its gate (kernel and initrd loaded)" at_gate
# SeaBIOS with QEMU's iPXE ROM: iPXE is the NIC's firmware, no TFTP boot
# file. The old pod's stage events reach the status on their own schedule.
wait_bound 120 "vm-2's stages before the gate in its status" has_stages vm-2 dhcp_ack script kernel initrd
WAIT_DETAIL=
# Active leases of the pool (VM 2's; VM 1's static address is outside it).
active_leases() { metric_sum '^rackboot_dhcp_leases[{].*state="active"'; }
leases_before=$(active_leases)
[ "$leases_before" -ge 1 ] || fail "bootd has $leases_before active pool leases before the upgrade, want VM 2's"

"${CTR[@]}" images tag docker.io/rackboot/bootd:dev "docker.io/rackboot/bootd:$UPGRADE_TAG" >/dev/null
"$cluster" exec "$HELM" upgrade "$REL" "$SRC/helm/rackboot" -n "$NS" --reuse-values \
  --set "bootd.image.tag=$UPGRADE_TAG" >/dev/null
k -n "$NS" rollout status "$BOOTD_DS" --timeout=300s >&2
new_pod=$(k -n "$NS" get pods -l app.kubernetes.io/component=bootd \
  -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}' | grep -vx "$old_pod" | head -n 1 || true)
[ -n "$new_pod" ] || fail "the DaemonSet did not replace bootd pod $old_pod"
image=$(k -n "$NS" get pod "$new_pod" -o 'jsonpath={.spec.containers[0].image}')
[[ "$image" == *":$UPGRADE_TAG" ]] || fail "new bootd pod runs $image, want tag $UPGRADE_TAG"
k -n "$NS" wait pod "$new_pod" --for=condition=Ready --timeout=300s >/dev/null
# The gate is closed: the callback cannot have been made yet.
[ "$(k -n "$MACHINES_NS" get machine vm-2 -o 'jsonpath={.status.phase}')" != Provisioned ] ||
  fail "vm-2 Provisioned before its gate opened"
journal=$(k -n "$NS" logs "$new_pod" | grep -m1 'msg="lease journal open"' || true)
[ -n "$journal" ] || fail "new bootd pod: no 'lease journal open' line"
leases_after=$(active_leases)
[ "$leases_after" = "$leases_before" ] ||
  fail "active leases: $leases_before before the upgrade, $leases_after after"
phase_log "upgraded: $old_pod -> $new_pod ($image), active leases $leases_before -> $leases_after; ${journal#*msg=}"
# The new pod is a restart of bootd as uid 65532: same posture, the leases
# above read back, the journal still its own.
node_check_bootd_posture "$new_pod"
node_check_state_dir "$new_pod"
# helm upgrade leaves the Lease's holder alone (the chart's Lease has no
# spec to patch) and the leader's renewals keep the release's labels. Not
# "the same holder": on a loaded machine leadership may move on its own.
holder=$(k -n "$NS" get lease -l "app.kubernetes.io/instance=$REL" -o 'jsonpath={.items[*].spec.holderIdentity}')
[ -n "$holder" ] || fail "after the upgrade no controller holds the release's Lease (or it lost its labels)"
touch "$LAB_DIR/gate/open"
wait_phase vm-2 Provisioned vm2
has_stages vm-2 dhcp_ack script kernel initrd booted || fail "vm-2: a stage is missing ($WAIT_DETAIL)"
phase_log "vm-2 Provisioned (lease, script, kernel, initrd from $old_pod; booted callback to $new_pod)"
k -n "$MACHINES_NS" get machines >&2

# --- drain: the PodDisruptionBudget keeps one controller ------------------
pdb=$(k -n "$NS" get pdb -l app.kubernetes.io/component=controller -o name)
[ -n "$pdb" ] || fail "no controller PodDisruptionBudget"
k -n "$NS" wait "$pdb" --for=jsonpath='{.status.disruptionsAllowed}'=1 --timeout=120s >/dev/null
in_node "$KUBECTL" drain "$NODE" --ignore-daemonsets --delete-emptydir-data --timeout=600s \
  >"$LAB_DIR/drain.log" 2>&1 &
drain_pid=$!
LAB_PIDS+=("$drain_pid")
refused() {
  grep -q "disruption budget" "$LAB_DIR/drain.log" && return 0
  kill -0 "$drain_pid" 2>/dev/null || fail "drain ended without a disruption budget refusal"
  return 1
}
wait_bound 300 "drain refused by the controller's PodDisruptionBudget" refused
kept=$(k -n "$NS" get pods -l app.kubernetes.io/component=controller -o json | python3 -c '
import json, sys
for p in json.load(sys.stdin)["items"]:
    ready = [c for c in p["status"].get("conditions", []) if c["type"] == "Ready" and c["status"] == "True"]
    if "deletionTimestamp" not in p["metadata"] and p["status"].get("phase") == "Running" and ready:
        print(p["metadata"]["name"])')
[ "$(wc -w <<<"$kept")" = 1 ] || fail "controller pods kept Running and Ready during the drain: '$kept', want 1"
led_by_kept() {
  [[ "$(k -n "$NS" get lease rackboot-controller -o 'jsonpath={.spec.holderIdentity}')" == "${kept}_"* ]]
}
wait_bound 120 "the kept controller $kept leads" led_by_kept
kill "$drain_pid" 2>/dev/null || true
wait "$drain_pid" 2>/dev/null || true
k uncordon "$NODE" >/dev/null
k -n "$NS" rollout status "$CONTROLLER_DEPLOY" --timeout=300s >&2
phase_log "drain refused by the PDB, $kept kept and leading; uncordoned"

# --- helm uninstall: only the CRDs (and the Machines) stay ----------------
"$cluster" exec "$HELM" get manifest "$REL" -n "$NS" >"$LAB_DIR/manifest.yaml"
# The controllers' last words (their shutdown log lines), for the Lease check.
in_node "$KUBECTL" -n "$NS" logs -f -l app.kubernetes.io/component=controller --prefix --tail=1 \
  >"$LAB_DIR/controller-shutdown.log" 2>&1 &
LAB_PIDS+=($!)
"$cluster" exec "$HELM" uninstall "$REL" -n "$NS" --wait --timeout 300s >/dev/null
left=$(k get -f "$LAB_DIR/manifest.yaml" --ignore-not-found -o name 2>&1)
[ -z "$left" ] || fail "helm uninstall left: $left"
# Pods, ReplicaSets, ControllerRevisions and EndpointSlices go with their
# owners, through the garbage collector, after uninstall returns. What may
# stay in the release's namespace is the namespace's own (default
# ServiceAccount, kube-root-ca.crt) and Events (they expire); the leader
# election Lease is the chart's and goes with the release.
# kubectl's deprecation warnings (v1 Endpoints, ComponentStatus) go to stderr.
listable=$(k api-resources --verbs=list -o name | grep -v '^events' | paste -sd, -)
namespaced=$(k api-resources --verbs=list --namespaced -o name | grep -v '^events' | paste -sd, -)
leftovers() {
  k get "$listable" -A -l "app.kubernetes.io/instance=$REL" -o name 2>/dev/null || echo "(kubectl get failed)"
  { k get "$namespaced" -n "$NS" -o name 2>/dev/null || echo "(kubectl get failed)"; } |
    grep -vxE 'configmap/kube-root-ca.crt|serviceaccount/default'
  true
}
nothing_left() {
  WAIT_DETAIL="left: $(leftovers | tr '\n' ' ')"
  [ "$WAIT_DETAIL" = "left: " ]
}
wait_bound 300 "nothing of the release left" nothing_left
WAIT_DETAIL=
# The leader's release on SIGTERM is usually refused (Helm has deleted the
# Role by then): harmless now, the Lease is gone with the release.
refused=$(grep -c 'cannot release lease' "$LAB_DIR/controller-shutdown.log" || true)
log "after uninstall: no Lease left; refused lease releases in the controllers' last log lines: $refused"
k get crd machines.rackboot.io bootprofiles.rackboot.io >/dev/null || fail "a CRD was removed"
[ "$(k -n "$MACHINES_NS" get machines -o name | wc -l)" = 2 ] || fail "Machines did not survive the uninstall"
phase_log "uninstalled: CRDs and Machines stay, nothing else of the release"
log "PASS"
