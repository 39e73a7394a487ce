#!/usr/bin/env bash
# The Helm chart on a real node (scripts/cluster): `helm install` with the
# locally built images (imagePullPolicy Never), then
#   - the controller Deployment (2 replicas) and the bootd DaemonSet are
#     rolled out and every pod is Ready (bootd's /readyz needs an assignment
#     snapshot from the controller, so Ready means the mTLS stream through
#     the Service and the cluster DNS works);
#   - the bootd container's posture, read from the host's /proc of its
#     process: CapEff is exactly the capabilities the chart grants
#     (NET_BIND_SERVICE), the root filesystem is mounted read-only, the
#     uid/gid are the chart's, no service account token is mounted;
#   - the controller's RBAC is real: its ServiceAccount may update Machine
#     status and Leases, and may not read Secrets cluster-wide.
# Everything is removed at the end (scripts/cluster down), also on failure,
# unless KEEP=1.
#
# Usage: tests/e2e/cluster/chart_on_node.sh SRC_DIR [--bootd-uid UID]
#   --bootd-uid UID  run bootd as UID (chart bootd.runAsUser; default: the
#                    chart's); its state directory is pre-created owned by
#                    UID, and bootd must still get NET_BIND_SERVICE (the
#                    image's file capability) and become Ready
#   needs root and scripts/setup --cluster; builds build/release/images
#   (scripts/images/build) if they are missing
set -euo pipefail
SRC=$(cd "${1:?usage: $0 SRC_DIR [--bootd-uid UID]}" && pwd)
BOOTD_UID=
[ "${2:-}" != --bootd-uid ] || BOOTD_UID=${3:?--bootd-uid needs a uid}
NODE_LOG_NAME=chart_on_node
# shellcheck source=scripts/lab/node.sh
source "$SRC/scripts/lab/node.sh"

cleanup() {
  local rc=$?
  [ "$rc" = 0 ] || node_diagnostics
  [ "${KEEP:-0}" = 1 ] || "$cluster" down >&2 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

node_prerequisites
"$cluster" up --images "$SRC/build/release/images"
node_rack_link

values=$(mktemp /tmp/chart_on_node.XXXXXX.yaml)
bootd_user=
if [ -n "$BOOTD_UID" ]; then
  # hostPath DirectoryOrCreate makes root:root 0755 directories; a non-root
  # bootd needs its lease journal directory to be its own.
  install -d -o "$BOOTD_UID" -g "$BOOTD_UID" "$STATE/hostpath/state/$RACK"
  bootd_user="runAsUser: $BOOTD_UID"
fi
node_values "$values" "$bootd_user"
"$cluster" exec "$HELM" install "$REL" "$SRC/helm/rackboot" -n "$NS" --create-namespace -f "$values" >/dev/null
rm -f "$values"
node_wait_release
ready=$(k -n "$NS" get pods --no-headers | awk '{print $2}' | sort | uniq -c)
[ "$(k -n "$NS" get pods -l app.kubernetes.io/component=controller --no-headers | grep -c ' 1/1 ')" = 2 ] ||
  fail "controller: not 2 Ready replicas: $ready"

# --- bootd's posture, from the host's view of its process ------------------
bootd_pod=$(k -n "$NS" get pods -l app.kubernetes.io/component=bootd -o 'jsonpath={.items[0].metadata.name}')
pid=$(node_container_pid "$bootd_pod")
[ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "bootd container of $bootd_pod: no process"
capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
# CAP_NET_BIND_SERVICE is bit 10.
[ "$capeff" = 0000000000000400 ] || fail "bootd CapEff=$capeff, want 0000000000000400 (NET_BIND_SERVICE only)"
capbnd=$(awk '/^CapBnd:/ {print $2}' "/proc/$pid/status")
[ "$capbnd" = 0000000000000400 ] || fail "bootd CapBnd=$capbnd, want NET_BIND_SERVICE only"
uid=$(awk '/^Uid:/ {print $2 "/" $3}' "/proc/$pid/status")
want_uid=$(k -n "$NS" get pod "$bootd_pod" -o 'jsonpath={.spec.securityContext.runAsUser}')
[ "$uid" = "$want_uid/$want_uid" ] || fail "bootd uid=$uid, want $want_uid (chart bootd.runAsUser)"
nnp=$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$pid/status")
[ "$nnp" = 1 ] || fail "bootd NoNewPrivs=$nnp, want 1 (allowPrivilegeEscalation: false)"
rootopts=$(awk '$5 == "/" {print $6}' "/proc/$pid/mountinfo")
case ",$rootopts," in *,ro,*) ;; *) fail "bootd root filesystem mounted $rootopts, want ro" ;; esac
if awk '{print $5}' "/proc/$pid/mountinfo" | grep -q '^/var/run/secrets/kubernetes.io/serviceaccount$'; then
  fail "bootd has a service account token mounted"
fi
# The controller: non-root, no capabilities at all.
ctl_pod=$(k -n "$NS" get pods -l app.kubernetes.io/component=controller -o 'jsonpath={.items[0].metadata.name}')
ctl_pid=$(node_container_pid "$ctl_pod")
[ -n "$ctl_pid" ] && [ -d "/proc/$ctl_pid" ] || fail "controller container: no process"
ctl_state=$(awk '/^Uid:/ {u = $2} /^CapEff:/ {c = $2} END {print u "/" c}' "/proc/$ctl_pid/status")
[ "$ctl_state" = 65532/0000000000000000 ] || fail "controller uid/CapEff=$ctl_state, want 65532/0000000000000000"
log "bootd posture: CapEff=$capeff CapBnd=$capbnd uid/gid=$uid NoNewPrivs=$nnp root=$rootopts, no token"

# --- the controller's RBAC, as its ServiceAccount -------------------------
sa="system:serviceaccount:$NS:$REL-rackboot-controller"
can() { k auth can-i --as="$sa" "$@" 2>/dev/null || true; }
[ "$(can update machines.rackboot.io/status -A)" = yes ] || fail "$sa may not update machines/status"
[ "$(can update leases.coordination.k8s.io/rackboot-controller -n "$NS")" = yes ] || fail "$sa may not update leases"
[ "$(can list secrets -A)" = no ] || fail "$sa may list Secrets cluster-wide"
# The controller's own requests succeed: the leader holds the Lease.
holder=$(k -n "$NS" get lease rackboot-controller -o 'jsonpath={.spec.holderIdentity}')
[ -n "$holder" ] || fail "no leader holds the rackboot-controller Lease"
log "controller RBAC: machines/status and leases allowed, cluster-wide secrets refused; leader $holder"
log "PASS"
