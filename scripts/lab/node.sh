# shellcheck shell=bash
# The lab attached to the node of scripts/cluster: the Helm chart with the
# locally built images, the rack's provisioning link from the node's network
# namespace into a lab namespace (scripts/lab/lib.sh's bridge, where QEMU
# VMs attach), the lab's kernel and initrd as the rack's artifacts,
# BootProfiles and Machines in the shape of deploy/examples/, and waiting
# for a Machine's phase. Sourced (after scripts/lab/lib.sh when a lab is
# used) by tests/e2e/cluster/*.sh and scripts/demo --kubernetes; the caller
# sets SRC (the source tree) first.

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
# namespaces attached to it.
RACK_IP=10.77.0.1
MACHINES_NS=lab
# One VM boot's bound (tests/e2e/lab_run.h kLabBootBoundSeconds).
BOOT_BOUND=420

log() { echo "${NODE_LOG_NAME:-node}: $*" >&2; }
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
      http:
        publicUrl: http://$RACK_IP:8067
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

# node_lock: one user of the node at a time on this machine (its namespace,
# state directories and ports are fixed): a test or demo holds this lock
# from before `scripts/cluster up` until after `down`; another waits.
node_lock() {
  exec {NODE_LOCK_FD}>/run/lock/rackboot-cluster.lock
  if ! flock -n "$NODE_LOCK_FD"; then
    log "another test or demo uses the node; waiting for it"
    flock "$NODE_LOCK_FD"
  fi
}

# node_check_bootd_posture POD: bootd's process as the host sees it
# (/proc/<pid> of the container's process): CapEff and CapBnd exactly
# NET_BIND_SERVICE (bit 10), uid/gid 65532 (the image's rackboot user, the
# chart's default), NoNewPrivs (allowPrivilegeEscalation: false), the root
# filesystem mounted read-only, no service account token mounted.
node_check_bootd_posture() {
  local pod=$1 pid st capeff capbnd uid nnp rootopts
  pid=$(node_container_pid "$pod")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "bootd container of $pod: no process"
  st=$(cat "/proc/$pid/status")
  capeff=$(awk '/^CapEff:/ {print $2}' <<<"$st")
  [ "$capeff" = 0000000000000400 ] || fail "bootd CapEff=$capeff, want 0000000000000400 (NET_BIND_SERVICE only)"
  capbnd=$(awk '/^CapBnd:/ {print $2}' <<<"$st")
  [ "$capbnd" = 0000000000000400 ] || fail "bootd CapBnd=$capbnd, want NET_BIND_SERVICE only"
  uid=$(awk '/^Uid:/ {u = $2 "/" $3} /^Gid:/ {g = $2 "/" $3} END {print u " " g}' <<<"$st")
  [ "$uid" = "65532/65532 65532/65532" ] || fail "bootd uid/gid=$uid, want 65532 (the image's rackboot user)"
  nnp=$(awk '/^NoNewPrivs:/ {print $2}' <<<"$st")
  [ "$nnp" = 1 ] || fail "bootd NoNewPrivs=$nnp, want 1 (allowPrivilegeEscalation: false)"
  rootopts=$(awk '$5 == "/" {print $6}' "/proc/$pid/mountinfo")
  case ",$rootopts," in *,ro,*) ;; *) fail "bootd root filesystem mounted $rootopts, want ro" ;; esac
  if awk '{print $5}' "/proc/$pid/mountinfo" | grep -q '^/var/run/secrets/kubernetes.io/serviceaccount$'; then
    fail "bootd has a service account token mounted"
  fi
  log "bootd $pod posture: CapEff=$capeff CapBnd=$capbnd uid/gid=${uid%% *} NoNewPrivs=$nnp root=$rootopts, no token"
}

# node_check_state_dir POD: the init container handed the rack's state
# hostPath to uid 65532 (exit 0, its log line) and everything in it is
# 65532's, the lease journal included.
node_check_state_dir() {
  local pod=$1 code dir=$STATE/hostpath/state/$RACK bad
  code=$(k -n "$NS" get pod "$pod" -o 'jsonpath={.status.initContainerStatuses[?(@.name=="state-dir")].state.terminated.exitCode}')
  [ "$code" = 0 ] || fail "$pod: init container state-dir exit code '$code', want 0"
  k -n "$NS" logs "$pod" -c state-dir | grep -q 'msg="state directory prepared"' ||
    fail "$pod: no 'state directory prepared' line from the init container"
  bad=$(find "$dir" \( ! -uid 65532 -o ! -gid 65532 \) -printf '%p %u:%g\n')
  [ -z "$bad" ] || fail "state directory entries not owned by 65532: $bad"
  [ -f "$dir/dhcp-leases.journal" ] || fail "no lease journal in $dir"
}

# node_check_controller_posture_and_rbac: the controller runs as 65532
# without capabilities; its RBAC, as the apiserver's authorizer sees its
# ServiceAccount: Machine status and its Lease (get/update, not create)
# allowed, Secrets cluster-wide refused; the leader holds the chart's Lease
# and the Lease still carries the release's labels (the leader's replace
# keeps them).
node_check_controller_posture_and_rbac() {
  local pod pid state sa holder
  pod=$(k -n "$NS" get pods -l app.kubernetes.io/component=controller -o 'jsonpath={.items[0].metadata.name}')
  pid=$(node_container_pid "$pod")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "controller container: no process"
  state=$(awk '/^Uid:/ {u = $2} /^CapEff:/ {c = $2} END {print u "/" c}' "/proc/$pid/status")
  [ "$state" = 65532/0000000000000000 ] || fail "controller uid/CapEff=$state, want 65532/0000000000000000"
  sa="system:serviceaccount:$NS:$REL-rackboot-controller"
  can() { k auth can-i --as="$sa" "$@" 2>/dev/null || true; }
  [ "$(can update machines.rackboot.io/status -A)" = yes ] || fail "$sa may not update machines/status"
  [ "$(can update leases.coordination.k8s.io/rackboot-controller -n "$NS")" = yes ] || fail "$sa may not update its Lease"
  [ "$(can create leases.coordination.k8s.io -n "$NS")" = no ] || fail "$sa may create Leases (the chart owns its Lease)"
  [ "$(can list secrets -A)" = no ] || fail "$sa may list Secrets cluster-wide"
  release_lease_holder() {
    holder=$(k -n "$NS" get lease -l "app.kubernetes.io/instance=$REL" -o 'jsonpath={.items[*].spec.holderIdentity}')
    [ -n "$holder" ]
  }
  wait_bound 120 "a leader holds the release's Lease (with the release's labels)" release_lease_holder
  log "controller $pod: uid/CapEff=$state; RBAC: machines/status and its Lease allowed, Lease create and cluster-wide secrets refused; leader $holder"
}

# Commands in the node's network namespace as the cluster's admin.
in_node() { nsenter --net="$NODE_NETNS" -- env KUBECONFIG="$STATE/admin.kubeconfig" "$@"; }

# wait_bound SECONDS WHAT CMD...: until CMD succeeds (a bound, not a timing);
# WAIT_DETAIL, if CMD sets it, is shown when the bound is reached.
wait_bound() {
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "$what: not after ${limit}s${WAIT_DETAIL:+ ($WAIT_DETAIL)}"
    sleep 1
  done
}

# node_lab_attach: a lab bridge (lab_add_lan) with the rack link's peer on
# it, and an IPv6 RA there (iPXE waits ~13 s for routers otherwise). Needs
# node_rack_link first. Sets LAB_LAN (the lab namespace).
node_lab_attach() {
  lab_add_lan
  LAB_LAN=$(lab_ns lan)
  "$cluster" exec ip link set "$RACK-lab" netns "$LAB_LAN"
  ip -n "$LAB_LAN" link set "$RACK-lab" master br0 up
  ip -n "$LAB_LAN" addr add fd77::2/64 dev br0 nodad
  lab_start_ra lan br0
}

# node_lab_artifacts: the lab's kernel and initrd on the node's artifacts
# hostPath (bootd serves it read-only at /artifacts/). Sets KERNEL_SHA.
node_lab_artifacts() {
  local artifacts=$STATE/hostpath/artifacts
  mkdir -p "$artifacts"
  cp "$LAB_KERNEL" "$artifacts/vmlinuz"
  cp "$LAB_INITRD" "$artifacts/initrd.img"
  KERNEL_SHA=$(sha256sum "$artifacts/vmlinuz" | cut -d' ' -f1)
}

# The SMBIOS UUID scripts/lab gives a VM with this MAC.
node_uuid_of() {
  local u="11223344-5566-7788-99aa-${1//:/}"
  echo "${u:0:36}"
}

# node_bootprofile NAME CMDLINE_EXTRA: the lab's profile (scripts/lab/bootd.sh)
# in the shape of deploy/examples/bootprofile-debian.yaml: an upstream kernel
# (url + sha256: bootd's artifact cache fetches it from bootd's own
# /artifacts/; needs http.artifactCacheDir), an artifact-root initrd, the
# callback {{booted_url}}.
node_bootprofile() {
  cat <<YAML
apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata:
  name: $1
  namespace: $MACHINES_NS
spec:
  kernel:
    url: http://$RACK_IP:8067/artifacts/vmlinuz
    sha256: "$KERNEL_SHA"
  initrds:
    - path: initrd.img
  cmdline: >-
    initrd=initrd.img console=ttyS0 quiet no_timer_check rb.mac={{machine.mac}}
    rb.ip=\${ip} rb.mask=\${netmask} rb.callback={{booted_url}}$2
---
YAML
}

# node_machine_head NAME: a Machine of the rack, up to its spec's rack.
node_machine_head() {
  cat <<YAML
apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata:
  name: $1
  namespace: $MACHINES_NS
spec:
  rack: $RACK
YAML
}

# node_machine_uefi NAME MAC IP PROFILE: node-a01 of
# deploy/examples/machines.yaml: UEFI, a static address, the snponly.efi
# override; the VM has one NIC and no bootOnce (one boot).
node_machine_uefi() {
  node_machine_head "$1"
  cat <<YAML
  hostname: $1.lab.example.com
  uuid: $(node_uuid_of "$2")
  architecture: x86_64
  firmware: uefi
  interfaces:
    - name: eno1
      mac: "$2"
      ipv4: $3
      primary: true
  bootProfileRef:
    name: $4
  netboot:
    allowPXE: true
  bootFileOverrides:
    x86_64-uefi: snponly.efi
---
YAML
}

# node_machine_pool NAME MAC PROFILE: node-a02, the smallest useful Machine
# (one NIC, the address from the rack pool).
node_machine_pool() {
  node_machine_head "$1"
  cat <<YAML
  interfaces:
    - mac: "$2"
  bootProfileRef:
    name: $3
---
YAML
}

# bootd's metrics on the node (hostNetwork, 0.0.0.0:9067, the chart's bootd.metricsPort).
bootd_metrics() { in_node curl -fs --max-time 10 "http://10.254.0.2:9067/metrics"; }
# metric_sum REGEX: the sum of the samples whose series matches REGEX.
metric_sum() { bootd_metrics | awk -v re="$1" '$0 !~ /^#/ && $1 ~ re {s += $2} END {print s + 0}'; }
# The controller's push has reached bootd: only then can a VM's MAC be
# answered (a DISCOVER before it would go unanswered).
node_assignments_at_least() { [ "$(metric_sum '^rackboot_bootd_assignments([{]|$)')" -ge "$1" ]; }

firmware_gave_up() { grep -aqE "No more network devices|No bootable device|Nothing to boot" "$LAB_DIR/$1.serial"; }

# wait_phase MACHINE PHASE VM: until the Machine's status has PHASE; fails
# early when the Machine Failed or the VM's firmware gave up.
wait_phase() {
  local m=$1 want=$2 vm=$3 deadline=$((SECONDS + BOOT_BOUND)) phase
  while :; do
    phase=$(k -n "$MACHINES_NS" get machines.rackboot.io "$m" -o 'jsonpath={.status.phase}' || true)
    [ "$phase" = "$want" ] && return 0
    [ "$phase" != Failed ] ||
      fail "$m Failed: $(k -n "$MACHINES_NS" get machines.rackboot.io "$m" -o 'jsonpath={.status.lastError}')"
    ! firmware_gave_up "$vm" || fail "$vm: the firmware gave up (phase $phase)"
    [ $SECONDS -lt $deadline ] || fail "$m: phase '$phase', not $want after ${BOOT_BOUND}s"
    sleep 1
  done
}

# stages MACHINE: the stages of the current boot in its status.
stages() { k -n "$MACHINES_NS" get machines.rackboot.io "$1" -o 'jsonpath={.status.bootProgress.stages[*].stage}'; }
# has_stages MACHINE STAGE...: every STAGE is in its status (WAIT_DETAIL
# says which are there).
has_stages() {
  local m=$1 s got
  shift
  got=" $(stages "$m" || true) "
  WAIT_DETAIL="stages in the status:$got"
  for s in "$@"; do
    [[ "$got" == *" $s "* ]] || return 1
  done
}
