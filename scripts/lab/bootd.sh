# shellcheck shell=bash
# bootd in the lab: standalone mode (a manifest directory with one
# BootProfile and one Machine for the VM), DHCP (server or proxy), TFTP with
# Debian's iPXE binaries, HTTP with the kernel and initrd as artifacts. Stages
# are read back from bootd's own records (GET /api/v1/events/<mac>).
# Sourced after lib.sh.

LAB_BOOTD_URL="http://$LAB_SRV_IP:$LAB_HTTP_PORT"

# Writes the manifests for one VM; rewriting them while bootd runs is a
# reload (inotify). lab_bootd_manifests <mac> <uuid> <allow_pxe true|false> [cmdline-extra]
# LAB_EXTRA_MACS: one more Machine per MAC (the storm's other VMs).
# LAB_BOOTD_DEFAULT=1: the profile is the default for unknown machines and
# the VM's MAC is listed by no Machine (a placeholder Machine keeps the file
# valid), so the VM boots only through the default.
lab_bootd_manifests() {
  local mac=$1 uuid=$2 allow=$3 extra=${4:-} dir="$LAB_DIR/manifests" annotations="" n=0 m
  mkdir -p "$dir"
  if [ "${LAB_BOOTD_DEFAULT:-0}" = 1 ]; then
    annotations=$'\n  annotations:\n    rackboot.io/default-for-unknown-machines: "true"'
    mac=02:00:00:00:00:01 uuid=""
  fi
  # ${ip}/${netmask} are iPXE's own settings (the address it got, also under
  # ProxyDHCP); initrd= is needed by the EFI stub under iPXE EFI.
  cat >"$dir/.lab.yaml.tmp" <<EOF
apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata:
  name: lab-tiny$annotations
spec:
  kernel:
    ${LAB_KERNEL_SPEC:-path: vmlinuz}
  initrds:
    - path: initrd.img
  cmdline: "initrd=initrd.img console=ttyS0 quiet no_timer_check rb.mac={{machine.mac}} rb.ip=\${ip} rb.mask=\${netmask} rb.callback={{booted_url}}$extra"
---
apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata:
  name: lab-vm
spec:
  rack: lab${uuid:+
  uuid: $uuid}
  interfaces:
    - mac: "$mac"
  bootProfileRef:
    name: lab-tiny
  netboot:
    allowPXE: $allow
EOF
  for m in ${LAB_EXTRA_MACS:-}; do
    n=$((n + 1))
    printf -- '---\napiVersion: rackboot.io/v1alpha1\nkind: Machine\nmetadata:\n  name: lab-vm-%s\nspec:\n  rack: lab\n  interfaces:\n    - mac: "%s"\n  bootProfileRef:\n    name: lab-tiny\n' \
      "$n" "$m" >>"$dir/.lab.yaml.tmp"
  done
  mv "$dir/.lab.yaml.tmp" "$dir/lab.yaml"
}

# Controller mode (scripts/lab/boot --controller): instead of manifests, bootd
# dials a rackboot-controller running outside the lab, through a unix socket
# (LAB_CONTROLLER_ADDRESS=unix:/path): a path-named socket is reached through
# the filesystem from any network namespace, so bootd needs no route out of
# the lab and the lab's traffic stays inside it. LAB_CONTROLLER_PKI holds
# ca.pem and bootd-lab.pem/.key (client CN bootd:lab, the lab's rack); the
# server certificate must name LAB_CONTROLLER_SERVER_NAME (default localhost).
LAB_CONTROLLER_ADDRESS=${LAB_CONTROLLER_ADDRESS:-}
LAB_CONTROLLER_PKI=${LAB_CONTROLLER_PKI:-}
LAB_CONTROLLER_SERVER_NAME=${LAB_CONTROLLER_SERVER_NAME:-localhost}

lab_bootd_controller_config() {
  echo "controller:"
  echo "  address: $LAB_CONTROLLER_ADDRESS"
  echo "  caFile: $LAB_CONTROLLER_PKI/ca.pem"
  echo "  certFile: $LAB_CONTROLLER_PKI/bootd-lab.pem"
  echo "  keyFile: $LAB_CONTROLLER_PKI/bootd-lab.key"
  echo "  serverName: $LAB_CONTROLLER_SERVER_NAME"
}

# The controller's first push has reached bootd (it persists every applied
# update): only then can the VM's MAC be answered.
lab_bootd_wait_assignments() {
  local i
  for i in $(seq 1 300); do
    [ -s "$LAB_DIR/bootd-state/assignments.snap" ] && return 0
    kill -0 "$LAB_BOOTD_PID" 2>/dev/null || break
    sleep 0.1
  done
  sed 's/^/  | /' "$LAB_DIR/bootd.log" >&2
  lab_die "bootd got no assignments from the controller at $LAB_CONTROLLER_ADDRESS"
}

# lab_bootd_start <bootd binary> <server|proxy> <mac> <uuid> <no_pxe 0|1>
# A mirror that answers the first $1 requests 503 (scripts/lab/flaky-upstream.py)
# serves the lab's kernel; the profile names it as an upstream URL with its
# sha256, so bootd's artifact cache fetches it when iPXE asks for the kernel.
# Requests are logged to $LAB_DIR/upstream.log.
LAB_UPSTREAM_PORT=8099
lab_flaky_upstream_url() { echo "http://$LAB_SRV_IP:$LAB_UPSTREAM_PORT/$(basename "$LAB_KERNEL")"; }
lab_flaky_upstream_start() {
  local failures=$1 sum
  sum=$(sha256sum "$LAB_KERNEL" | cut -c1-64)
  lab_spawn srv upstream.log python3 "$(dirname "${BASH_SOURCE[0]}")/flaky-upstream.py" \
    "$LAB_SRV_IP" "$LAB_UPSTREAM_PORT" "$LAB_KERNEL" "$failures"
  lab_expect_running "$LAB_LAST_PID" upstream.log
  LAB_KERNEL_SPEC="url: $(lab_flaky_upstream_url)
    sha256: $sum"
}

lab_bootd_start() {
  local bin=$1 mode=$2 mac=$3 uuid=$4 no_pxe=$5 allow=true
  [ -x "$bin" ] || lab_die "bootd binary not found at $bin (scripts/build release, or --bootd PATH)"
  [ "$no_pxe" = 1 ] && allow=false
  mkdir -p "$LAB_DIR/tftp" "$LAB_DIR/artifacts" "$LAB_DIR/bootd-state"
  cp /usr/lib/ipxe/undionly.kpxe /usr/lib/ipxe/ipxe.efi /usr/lib/ipxe/snponly.efi "$LAB_DIR/tftp/"
  # Copies (or hard links), not symlinks: bootd serves nothing that resolves
  # outside its artifact root.
  ln -f "$LAB_KERNEL" "$LAB_DIR/artifacts/vmlinuz" 2>/dev/null || cp "$LAB_KERNEL" "$LAB_DIR/artifacts/vmlinuz"
  ln -f "$LAB_INITRD" "$LAB_DIR/artifacts/initrd.img" 2>/dev/null || cp "$LAB_INITRD" "$LAB_DIR/artifacts/initrd.img"
  cp /usr/lib/ipxe/ipxe.efi "$LAB_DIR/artifacts/ipxe.efi"
  [ -z "$LAB_CONTROLLER_ADDRESS" ] && lab_bootd_manifests "$mac" "$uuid" "$allow"
  {
    echo "rack: lab"
    echo "logLevel: info"
    echo "stateDir: $LAB_DIR/bootd-state"
    if [ -n "$LAB_CONTROLLER_ADDRESS" ]; then lab_bootd_controller_config; else echo "manifestDir: $LAB_DIR/manifests"; fi
    echo "dhcp:"
    echo "  mode: $mode"
    echo "  interface: eth0"
    echo "  serverAddress: $LAB_SRV_IP"
    # UEFI HTTP Boot loads ipxe.efi over HTTP; bootd's HTTP serves it from
    # the artifact root (an absolute URL is used as given).
    echo "  bootFiles:"
    echo "    x86_64-uefi-http: $LAB_BOOTD_URL/artifacts/ipxe.efi"
    if [ "$mode" = server ]; then
      echo "  pools:"
      echo "    - subnet: $LAB_SUBNET_PREFIX.0/24"
      echo "      rangeStart: $LAB_SUBNET_PREFIX.100"
      echo "      rangeEnd: $LAB_SUBNET_PREFIX.199"
      echo "      router: $LAB_SRV_IP"
    fi
    echo "tftp:"
    echo "  listen: $LAB_SRV_IP:69"
    echo "  root: $LAB_DIR/tftp"
    echo "http:"
    echo "  listen: $LAB_SRV_IP:$LAB_HTTP_PORT"
    echo "  publicUrl: $LAB_BOOTD_URL"
    echo "  artifactRoot: $LAB_DIR/artifacts"
    # Upstream (url + sha256) artifacts of a profile; the lab's own come from
    # artifactRoot (boot --print-kernel names bootd itself as an upstream).
    echo "  artifactCacheDir: $LAB_DIR/artifact-cache"
    if [ -n "$LAB_METRICS_SOCKET" ]; then
      echo "metrics:"
      echo "  listen: 127.0.0.1:$LAB_METRICS_PORT"
    fi
  } >"$LAB_DIR/bootd.yaml"
  # In the rack namespace: the check looks at eth0 and its address there.
  lab_exec srv "$bin" --check-config --config "$LAB_DIR/bootd.yaml" >/dev/null || lab_die "bootd rejected the lab config"
  LAB_BOOTD_BIN=$bin
  lab_bootd_spawn
  [ -n "$LAB_METRICS_SOCKET" ] && lab_bootd_metrics_bridge
  lab_bootd_check_services
  [ -n "$LAB_CONTROLLER_ADDRESS" ] && lab_bootd_wait_assignments
  return 0
}

# --metrics-socket PATH: bootd serves /metrics on the srv namespace's
# loopback and socat there accepts on the path-named unix socket PATH and
# forwards to it, so a Prometheus outside the lab scrapes bootd through the
# filesystem (as bootd reaches the controller) without a route into the lab.
LAB_METRICS_SOCKET=${LAB_METRICS_SOCKET:-}
LAB_METRICS_PORT=9100

lab_bootd_metrics_bridge() {
  command -v socat >/dev/null || lab_die "--metrics-socket needs socat (scripts/setup)"
  lab_spawn srv metrics-bridge.log socat "UNIX-LISTEN:$LAB_METRICS_SOCKET,fork,unlink-early" \
    "TCP:127.0.0.1:$LAB_METRICS_PORT"
  lab_expect_running "$LAB_LAST_PID" metrics-bridge.log
}

# Starts bootd with $LAB_DIR/bootd.yaml and waits for /healthz.
lab_bootd_spawn() {
  lab_spawn srv bootd.log "$LAB_BOOTD_BIN" --config "$LAB_DIR/bootd.yaml"
  LAB_BOOTD_PID=$LAB_LAST_PID
  local i
  for i in $(seq 1 600); do
    lab_exec srv curl -fs -o /dev/null "$LAB_BOOTD_URL/healthz" 2>/dev/null && return 0
    kill -0 "$LAB_BOOTD_PID" 2>/dev/null || break
    sleep 0.1
  done
  sed 's/^/  | /' "$LAB_DIR/bootd.log" >&2
  lab_die "bootd did not become ready"
}

# Stops bootd (SIGTERM) and starts it again with the same state directory;
# the previous log is kept as bootd-1.log.
lab_bootd_restart() {
  kill "$LAB_BOOTD_PID" 2>/dev/null || true
  wait "$LAB_BOOTD_PID" 2>/dev/null || true
  mv "$LAB_DIR/bootd.log" "$LAB_DIR/bootd-1.log"
  lab_bootd_spawn
}

# A bootd without a DHCP or TFTP service (not built yet) cannot boot a VM:
# exit 3 so callers (scripts/demo) can fall back to the reference stack.
lab_bootd_check_services() {
  local udp missing=()
  udp=$(lab_exec srv ss -Hulnp 2>/dev/null || true)
  grep -q ":67 " <<<"$udp" || missing+=(DHCP)
  grep -q ":69 " <<<"$udp" || missing+=(TFTP)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "lab: this bootd does not serve ${missing[*]} yet" >&2
    exit 3
  fi
}

lab_bootd_events_json() {
  lab_exec srv curl -fs --max-time 2 "$LAB_BOOTD_URL/api/v1/events/$1" 2>/dev/null
}

# Prints "<stage> <unix_millis>" for every stage bootd recorded for <mac>.
# TFTP transfers whose MAC bootd could not tell (logged as mac=00:00:...)
# are taken from bootd's log: the lab has one VM, so they are its.
lab_bootd_stages() {
  local records
  records=$(lab_bootd_events_json "$1")
  sed -n 's/.*"stage":"\([a-z_]*\)","unix_millis":\([0-9]*\).*/\1 \2/p' <<<"$records"
  if ! grep -q '"stage":"boot_file"' <<<"$records" &&
    grep -q 'msg="transfer complete".*stage=boot_file' "$LAB_DIR/bootd.log" 2>/dev/null; then
    echo boot_file
  fi
}

# bootd's log lines of completed TFTP boot-file transfers.
lab_bootd_tftp_log() {
  grep 'msg="transfer complete".*stage=boot_file' "$LAB_DIR/bootd.log" 2>/dev/null || true
}

# Detail of the first record of a stage: "<detail> (<bytes> bytes)".
lab_bootd_detail() {
  local d
  d=$(lab_bootd_events_json "$1" | grep -m1 "\"stage\":\"$2\"" |
    sed -n 's/.*"bytes":\([0-9]*\).*"detail":"\(.*\)"}.*/\2 (\1 bytes)/p')
  if [ -z "$d" ] && [ "$2" = boot_file ]; then
    d="$(lab_bootd_tftp_log | head -1 | grep -o 'file=[^ ]* bytes=[0-9]*') (from bootd's log)"
  fi
  echo "$d"
}
