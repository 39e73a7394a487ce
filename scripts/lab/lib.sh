# shellcheck shell=bash
# Boot lab library: a virtual rack on one machine (network namespaces, a
# bridge, taps) and QEMU VMs that PXE-boot with real firmware. Sourced by
# scripts/lab/boot (used by the e2e tests and scripts/demo).
#
# Facts this is built on: ../shared/reference/pxe-lab-facts.md (topology,
# QEMU flags, the KVM trap, the IPv6-RA and ProxyDHCP waits of iPXE).
#
# Rules: every namespace is named rbt<pid>-<name> with the pid of the
# long-lived script, so the test sweeper can remove leftovers of a killed run;
# traffic stays inside these namespaces; lab_cleanup (trapped on EXIT, INT,
# TERM) kills everything started and deletes the namespaces.

LAB_CACHE=${RACKBOOT_LAB_CACHE:-/var/cache/rackboot/lab}
LAB_PREFIX="rbt$$"
LAB_NAMESPACES=()
LAB_PIDS=()
LAB_DIR=""
LAB_KEEP=${RACKBOOT_LAB_KEEP:-0}

# Addresses inside the lab's own namespaces only (10.x, allowed there).
LAB_SUBNET_PREFIX=10.77.0
LAB_SRV_IP=10.77.0.1
LAB_SITE_IP=10.77.0.2
LAB_HTTP_PORT=8080

lab_die() {
  echo "lab: error: $*" >&2
  exit 1
}

lab_note() { echo "lab: $*" >&2; }

# Milliseconds since the epoch (for stage timing).
lab_now_ms() { date +%s%3N; }

lab_require_root() {
  [ "$(id -u)" -eq 0 ] || lab_die "needs root (network namespaces, taps); run with sudo"
}

lab_require_tools() {
  local missing=() t
  for t in qemu-system-x86_64 ip dnsmasq busybox dpkg-deb apt-get curl; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || lab_die "missing tools: ${missing[*]} (run scripts/setup --lab)"
}

lab_init() {
  lab_require_root
  lab_require_tools
  LAB_DIR=$(mktemp -d /tmp/rackboot-lab.XXXXXX)
  chmod 755 "$LAB_DIR"
  trap lab_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

lab_cleanup() {
  local rc=$? pid ns
  trap - EXIT INT TERM
  for pid in "${LAB_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for ns in "${LAB_NAMESPACES[@]}"; do
    # Anything else still running inside our own namespaces is ours too.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  done
  for pid in "${LAB_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for ns in "${LAB_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
    if [ "$LAB_KEEP" = 1 ]; then lab_note "kept work dir $LAB_DIR"; else rm -rf "$LAB_DIR"; fi
  fi
  exit "$rc"
}

# --- topology ---------------------------------------------------------------

lab_ns() { echo "$LAB_PREFIX-$1"; }
lab_exec() {
  local ns=$1
  shift
  ip netns exec "$(lab_ns "$ns")" "$@"
}

lab_add_ns() {
  local full
  full=$(lab_ns "$1")
  ip netns add "$full"
  LAB_NAMESPACES+=("$full")
  ip -n "$full" link set lo up
}

# Starts a background process inside a namespace; output to $LAB_DIR/<log>.
# Sets LAB_LAST_PID.
lab_spawn() {
  local ns=$1 log=$2
  shift 2
  ip netns exec "$(lab_ns "$ns")" "$@" >"$LAB_DIR/$log" 2>&1 </dev/null &
  LAB_LAST_PID=$!
  LAB_PIDS+=("$LAB_LAST_PID")
}

# Fails when a server just started has already exited (bad config, port taken).
lab_expect_running() {
  local pid=$1 log=$2
  sleep 0.2
  if ! kill -0 "$pid" 2>/dev/null; then
    sed 's/^/  | /' "$LAB_DIR/$log" >&2
    lab_die "server exited at start ($log)"
  fi
}

# Joins namespace $1 to the lan bridge with address $2 (cidr) on interface $3.
lab_join_lan() {
  local ns=$1 cidr=$2 ifname=$3 peer="v$1"
  ip -n "$(lab_ns lan)" link add "$peer" type veth peer name "$ifname" netns "$(lab_ns "$ns")"
  ip -n "$(lab_ns lan)" link set "$peer" master br0 up
  ip -n "$(lab_ns "$ns")" addr add "$cidr" dev "$ifname"
  ip -n "$(lab_ns "$ns")" link set "$ifname" up
}

# lan: a bridge (stp off, forward delay 0) where VMs' taps and servers meet.
lab_add_lan() {
  lab_add_ns lan
  ip -n "$(lab_ns lan)" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$(lab_ns lan)" link set br0 up
}

# The lan and srv: the boot server (bootd or the reference stack) at $LAB_SRV_IP.
lab_topology() {
  lab_add_lan
  lab_add_ns srv
  lab_join_lan srv "$LAB_SRV_IP/24" eth0
  # An IPv6 address lets dnsmasq send Router Advertisements (lab_start_ra).
  ip -n "$(lab_ns srv)" addr add fd77::1/64 dev eth0 nodad
}

# A second DHCP server's namespace (site DHCP for the ProxyDHCP variant).
lab_add_site_ns() {
  lab_add_ns site
  lab_join_lan site "$LAB_SITE_IP/24" eth0
}

lab_add_tap() {
  local tap=$1
  ip -n "$(lab_ns lan)" tuntap add dev "$tap" mode tap
  ip -n "$(lab_ns lan)" link set "$tap" master br0 up
}

# iPXE waits ~13 s for IPv6 router discovery when nobody answers; an RA on the
# segment (no prefix to autoconfigure, router lifetime 0) ends the wait at once.
# lab_start_ra [NS IFACE]: from namespace NS (default srv) on IFACE (eth0),
# which needs an IPv6 address.
lab_start_ra() {
  local ns=${1:-srv} ifc=${2:-eth0}
  lab_spawn "$ns" ra.log dnsmasq --keep-in-foreground --port=0 --no-resolv --no-hosts \
    --conf-file=/dev/null --pid-file="$LAB_DIR/ra.pid" --interface="$ifc" --bind-interfaces \
    --enable-ra --dhcp-range=::,constructor:"$ifc",ra-only,64 --ra-param="$ifc",0,0 \
    --dhcp-leasefile="$LAB_DIR/ra.leases"
}

# --- artifacts: kernel and a tiny initrd ------------------------------------

# Fetches Debian's kernel (linux-image-amd64's dependency) once into the cache.
# Sets LAB_KERNEL and LAB_MODULES (the extracted /lib/modules/<ver>).
lab_fetch_kernel() {
  local pkg ver dir
  mkdir -p "$LAB_CACHE"
  if [ -f "$LAB_CACHE/kernel.ver" ] && [ -f "$LAB_CACHE/vmlinuz" ]; then
    ver=$(cat "$LAB_CACHE/kernel.ver")
  else
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    if [ -z "$pkg" ]; then
      apt-get update -q >/dev/null
      pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    fi
    [ -n "$pkg" ] || lab_die "cannot resolve linux-image-amd64"
    dir=$(mktemp -d "$LAB_CACHE/dl.XXXXXX")
    (cd "$dir" && chmod 755 . && apt-get download -q "$pkg" >/dev/null 2>&1) || lab_die "apt-get download $pkg failed"
    dpkg-deb -x "$dir"/*.deb "$dir/root"
    ver=$(ls "$dir/root/lib/modules")
    cp "$dir/root/boot/vmlinuz-$ver" "$LAB_CACHE/vmlinuz"
    rm -rf "$LAB_CACHE/modules"
    mkdir -p "$LAB_CACHE/modules"
    # Only the NIC modules the initrd loads (see lab_build_initrd).
    (cd "$dir/root/lib/modules/$ver/kernel" && find drivers/net drivers/virtio net/core -name '*.ko*' \
      \( -name 'e1000.ko*' -o -name 'virtio*.ko*' -o -name 'failover.ko*' -o -name 'net_failover.ko*' \) \
      -exec cp {} "$LAB_CACHE/modules/" \;)
    echo "$ver" >"$LAB_CACHE/kernel.ver"
    rm -rf "$dir"
  fi
  LAB_KERNEL="$LAB_CACHE/vmlinuz"
  LAB_KERNEL_VERSION=$ver
}

# Builds the initrd: busybox-static, the NIC modules, and an /init that prints
# "RACKBOOT-BOOTED mac=<mac>" on the serial console, configures the address
# iPXE had (rb.ip=, rb.mask= on the command line), waits for rb.gate= if
# given, GETs rb.callback= and powers off. Rebuilt when this file changes. Sets LAB_INITRD.
lab_build_initrd() {
  local stamp root m
  lab_fetch_kernel
  stamp=$(cat "${BASH_SOURCE[0]}" "$LAB_CACHE/kernel.ver" /bin/busybox | sha256sum | cut -c1-16)
  LAB_INITRD="$LAB_CACHE/initrd-$stamp.img"
  [ -f "$LAB_INITRD" ] && return 0
  root=$(mktemp -d "$LAB_CACHE/initrd.XXXXXX")
  mkdir -p "$root"/{bin,dev,proc,sys,modules,tmp}
  cp /bin/busybox "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"
  for m in e1000 virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
    cp "$LAB_CACHE/modules/$m.ko"* "$root/modules/" 2>/dev/null || true
  done
  cat >"$root/init" <<'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# The lab's serial port is ttyS0, whichever console= the profile names (a
# shipped example may send the kernel's console to ttyS1).
if [ -c /dev/ttyS0 ]; then exec >/dev/ttyS0 2>&1; else exec >/dev/console 2>&1; fi
arg() { for w in $(cat /proc/cmdline); do case "$w" in "$1"=*) echo "${w#*=}";; esac; done; }
# Load order matters for virtio (facts file); missing modules are fine.
for m in e1000 virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do
  [ -f /modules/$m.ko ] && { insmod /modules/$m.ko 2>/dev/null || failed="$failed $m"; }
done
want=$(arg rb.mac | tr 'A-F' 'a-f')
dev=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  for d in /sys/class/net/*; do
    n=${d##*/}; [ "$n" = lo ] && continue
    a=$(cat $d/address)
    if [ -z "$want" ] || [ "$a" = "$want" ]; then dev=$n; mac=$a; fi
  done
  [ -n "$dev" ] && break
  sleep 0.1
done
tag=$(arg rb.tag)
echo "RACKBOOT-BOOTED mac=${mac:-unknown} dev=${dev:-none} kernel=$(uname -r)${tag:+ tag=$tag}${failed:+ insmod-failed=$failed}"
echo "RACKBOOT-CMDLINE $(cat /proc/cmdline)"
ip=$(arg rb.ip); mask=$(arg rb.mask); cb=$(arg rb.callback)
# Plays the installer of a shipped example: a Debian installer fetches its
# preseed from url=, cloud-init its user-data/meta-data from
# ds=nocloud-net;s=BASE. The installed system's booted callback is the
# URL the config's late command POSTs to (curl ... -X POST URL), so the boot
# only counts as booted when the install config reached the guest with it.
install_config() {
  url=$(arg url); base=$(arg ds | sed -n 's/^nocloud-net;s=//p')
  [ -n "$url$base" ] || return 0
  [ -n "$url" ] || url="${base}user-data"
  for i in $(seq 1 240); do
    timeout 3 wget -q -O /tmp/config "$url" 2>/dev/null && break
    rm -f /tmp/config; sleep 0.5
  done
  [ -s /tmp/config ] || { echo "RACKBOOT-INSTALL-CONFIG failed url=$url"; return 0; }
  # bootd quotes the values it puts into YAML (cloud-init): unquote to read.
  tr -d "\"'" </tmp/config >/tmp/config.plain
  host=$(sed -n 's/.*get_hostname string //p; s/.*hostname: *\([^,}]*\).*/\1/p' /tmp/config.plain | head -n 1)
  if [ -n "$base" ] && timeout 3 wget -q -O /tmp/meta "${base}meta-data" 2>/dev/null; then
    host=$(tr -d "\"'" </tmp/meta | sed -n 's/^local-hostname: *//p' | head -n 1)
  fi
  cb=$(grep -o 'curl .*-X POST [^ ]*' /tmp/config.plain | head -n 1 | sed 's/.* //')
  echo "RACKBOOT-INSTALL-CONFIG ok url=$url bytes=$(wc -c </tmp/config) hostname=$host callback=$cb"
}
if [ -n "$dev" ] && [ -n "$ip" ]; then
  ifconfig lo up
  ifconfig "$dev" "$ip" netmask "${mask:-255.255.255.0}" up
  install_config
  # rb.gate=URL (tests): every download is done; wait until URL answers
  # before the callback, so a test can hold a boot between its last
  # download and its booted callback (bounded by the test, not here).
  gate=$(arg rb.gate)
  if [ -n "$gate" ]; then
    echo "RACKBOOT-GATE waiting url=$gate"
    until timeout 3 wget -q -O /tmp/gate "$gate" 2>/dev/null; do sleep 0.5; done
    echo "RACKBOOT-GATE open"
  fi
  # Link-up takes a moment (e1000 ~3 s, longer on a loaded TCG host): retry
  # the callback until it answers (the lab's timeout bounds the boot).
  if [ -n "$cb" ]; then
    ok=0
    for i in $(seq 1 240); do
      # (busybox-static's wget -T crashes: bound it with timeout instead)
      if timeout 3 wget -q -O /tmp/cb "$cb" 2>/dev/null; then ok=1; break; fi
      sleep 0.5
    done
    if [ $ok = 1 ]; then echo "RACKBOOT-CALLBACK ok url=$cb"; else
      echo "RACKBOOT-CALLBACK failed url=$cb"; ifconfig "$dev"; cat /sys/class/net/$dev/operstate; route -n
    fi
  fi
fi
echo "RACKBOOT-POWEROFF"
poweroff -f
EOF
  chmod +x "$root/init"
  (cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$LAB_INITRD.tmp"
  mv "$LAB_INITRD.tmp" "$LAB_INITRD"
  rm -rf "$root"
}

# --- QEMU -------------------------------------------------------------------

# KVM only when it really runs firmware: /dev/kvm may open on a nested host
# that fails with "KVM internal error" (facts file). Probe with a direct
# kernel boot once per machine; RACKBOOT_LAB_ACCEL=kvm|tcg overrides.
lab_detect_accel() {
  local cache="$LAB_CACHE/accel-$(uname -r)" out
  if [ -n "${RACKBOOT_LAB_ACCEL:-}" ]; then
    LAB_ACCEL=$RACKBOOT_LAB_ACCEL
    return
  fi
  if [ -f "$cache" ]; then
    LAB_ACCEL=$(cat "$cache")
    return
  fi
  LAB_ACCEL=tcg
  if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    lab_build_initrd
    out=$(timeout 20 qemu-system-x86_64 -machine q35,graphics=off -accel kvm -m 256 -display none \
      -vga none -monitor none -serial stdio -no-reboot -nodefaults -kernel "$LAB_KERNEL" \
      -initrd "$LAB_INITRD" -append "console=ttyS0 quiet" </dev/null 2>&1 || true)
    # The direct kernel boot runs through SeaBIOS' linuxboot ROM too, so a
    # nested host that cannot run firmware fails here as well.
    if grep -q RACKBOOT-POWEROFF <<<"$out" && ! grep -qi "internal error\|emulation failure" <<<"$out"; then
      LAB_ACCEL=kvm
    fi
  fi
  echo "$LAB_ACCEL" >"$cache"
}

# Firmware paths:
#   bios      SeaBIOS + iPXE NIC ROM (e1000)
#   uefi-pxe  OVMF native PXE (virtio-net without ROM) -> TFTP ipxe.efi
#   uefi-rom  OVMF + QEMU's iPXE EFI ROM (e1000)
#   uefi-http OVMF HTTP Boot (virtio-net without ROM)
# lab_start_vm <name> <firmware> <mac> <uuid>; serial console in $LAB_DIR/<name>.serial
# LAB_VM_MEM: guest RAM in MiB (default 512; the storm uses less per VM).
lab_start_vm() {
  local name=$1 fw=$2 mac=$3 uuid=$4 tap="tap${#LAB_VMS[@]}" args=()
  lab_add_tap "$tap"
  args=(-machine q35,graphics=off -accel "$LAB_ACCEL" -m "${LAB_VM_MEM:-512}" -display none -vga none -monitor none
    -serial "file:$LAB_DIR/$name.serial" -no-reboot -uuid "$uuid"
    -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no")
  case "$fw" in
    bios) args+=(-device "e1000,netdev=n0,mac=$mac" -boot n) ;;
    uefi-pxe | uefi-http | uefi-rom)
      cp /usr/share/OVMF/OVMF_VARS_4M.fd "$LAB_DIR/$name.vars"
      args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
        -drive "if=pflash,format=raw,unit=1,file=$LAB_DIR/$name.vars")
      # HTTP Boot only: OVMF's fw_cfg knobs switch its PXE boot options off,
      # otherwise PXEv4 and PXEv6 time out first (minutes under TCG).
      [ "$fw" = uefi-http ] && args+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n
        -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n)
      if [ "$fw" = uefi-rom ]; then
        args+=(-device "e1000,netdev=n0,mac=$mac")
      else
        args+=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=")
      fi
      ;;
    *) lab_die "unknown firmware path $fw" ;;
  esac
  : >"$LAB_DIR/$name.serial"
  lab_spawn lan "$name.qemu.log" qemu-system-x86_64 "${args[@]}"
  LAB_VMS+=("$name")
  LAB_VM_PID=$LAB_LAST_PID
}
LAB_VMS=()
