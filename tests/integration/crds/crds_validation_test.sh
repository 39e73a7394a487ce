#!/usr/bin/env bash
# Machine / BootProfile CRDs against a real kube-apiserver (fixture "k8s"):
# they are Established, the examples apply, `kubectl get` shows the printer
# columns, defaults and the status subresource work, and every bad manifest
# below is REJECTED by the server with an error naming the field.
# Needs KUBECONFIG and RACKBOOT_SOURCE_DIR.
set -euo pipefail
SRC=${RACKBOOT_SOURCE_DIR:?}
fail() { echo "FAIL: $*" >&2; exit 1; }

ns=rbt$$-crds
kubectl create namespace "$ns" >/dev/null
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT
k() { kubectl -n "$ns" "$@"; }

# --- install ------------------------------------------------------------------
kubectl apply -f "$SRC/crds/" >/dev/null
kubectl wait --for condition=Established --timeout=60s crd/machines.rackboot.io crd/bootprofiles.rackboot.io >/dev/null
for crd in machines bootprofiles; do
  [ "$(kubectl get crd "$crd.rackboot.io" -o jsonpath='{.status.conditions[?(@.type=="NamesAccepted")].status}')" = True ] ||
    fail "$crd: names not accepted"
done
echo "ok - CRDs Established"

# --- examples -----------------------------------------------------------------
k apply -f "$SRC/deploy/examples/bootprofile-debian.yaml" -f "$SRC/deploy/examples/bootprofile-ubuntu-cloudinit.yaml" \
  -f "$SRC/deploy/examples/machines.yaml" >/dev/null
echo "ok - examples apply"

# Short names of our own (Cluster API's Machine shares the plural
# "machines": tests/integration/crds/kubectl_names_test.sh) and the category.
k get rbm node-a01 >/dev/null || fail "short name rbm"
k get rbp debian-12-install >/dev/null || fail "short name rbp"
[ "$(k get rackboot -o name | sort | tr '\n' ' ')" = \
  "bootprofile.rackboot.io/debian-12-install bootprofile.rackboot.io/ubuntu-2404-autoinstall machine.rackboot.io/node-a01 machine.rackboot.io/node-a02 " ] ||
  fail "category rackboot lists: $(k get rackboot -o name)"
echo "ok - short names and category"

# Defaults from the schema.
[ "$(k get machine node-a02 -o jsonpath='{.spec.firmware}/{.spec.netboot.allowPXE}/{.spec.netboot.bootOnce}')" = auto/true/false ] ||
  fail "defaults: $(k get machine node-a02 -o jsonpath='{.spec}')"
[ "$(k get rbp debian-12-install -o jsonpath='{.spec.menu.entries[0].action}')" = boot ] || fail "menu entry action default"

# Status subresource: a status write shows up in the IP/Phase columns, and
# status cannot be changed through the main resource.
k patch machine node-a01 --subresource=status --type=merge \
  -p '{"status":{"phase":"Assigned","ipv4":"10.77.0.21","observedGeneration":1,"conditions":[{"type":"Assigned","status":"True","reason":"StaticAddress","message":"10.77.0.21 from spec","lastTransitionTime":"2026-01-01T00:00:00Z"}],"bootProgress":{"lastStage":"kernel","stages":[{"stage":"dhcp_ack","time":"2026-01-01T00:00:01Z"},{"stage":"kernel","time":"2026-01-01T00:00:03Z","bytes":8123456}]}}}' >/dev/null
k patch machine node-a02 --type=merge -p '{"status":{"phase":"Failed"}}' >/dev/null
[ -z "$(k get machine node-a02 -o jsonpath='{.status.phase}')" ] || fail "status written through the main resource"

table=$(k get machines)
echo "$table"
header=$(head -n1 <<<"$table")
for col in NAME MAC RACK IP PROFILE PHASE AGE; do
  grep -qw "$col" <<<"$header" || fail "column $col missing from: $header"
done
# cell TABLE ROW-NAME COLUMN: the text under COLUMN's header in ROW-NAME's
# line (kubectl leaves empty cells blank, so split by header offsets).
cell() {
  awk -v row="$2" -v col="$3" '
    NR == 1 { h = $0; start = index(h, col); rest = substr(h, start + length(col)); match(rest, /[^ ]/)
              len = (RSTART ? length(col) + RSTART - 1 : 1000) }
    NR > 1 && $1 == row { v = substr($0, start, len); gsub(/ +$/, "", v); print v }' <<<"$1"
}
expect_cell() {
  local got
  got=$(cell "$table" "$1" "$2")
  [ "$got" = "$3" ] || fail "kubectl get: $1 $2 is '$got', want '$3'"
}
expect_cell node-a01 MAC 52:54:00:12:34:01
expect_cell node-a01 RACK rack-a
expect_cell node-a01 IP 10.77.0.21
expect_cell node-a01 PROFILE debian-12-install
expect_cell node-a01 PHASE Assigned
expect_cell node-a02 MAC 52:54:00:12:34:11
expect_cell node-a02 IP ""
expect_cell node-a02 PROFILE ubuntu-2404-autoinstall
expect_cell node-a02 PHASE ""
wide=$(k get machines -o wide)
grep -qw HOSTNAME <<<"${wide%%$'\n'*}" || fail "wide output lacks HOSTNAME: $wide"
echo "ok - printer columns and status subresource"

# Ready and Error columns (Reason with -o wide): a failed boot as the
# controller writes it (Ready=False, BootError) beside status.lastError.
k patch machine node-a02 --subresource=status --type=merge -p '{"status":{"phase":"Failed",
  "conditions":[{"type":"Ready","status":"False","reason":"BootError","message":"the last boot attempt failed",
  "lastTransitionTime":"2026-01-01T00:00:00Z"}],
  "lastError":{"stage":"kernel","message":"kernel 0123 unavailable: HTTP 404","time":"2026-01-01T00:00:05Z"}}}' >/dev/null
table=$(k get rbm)
echo "$table"
expect_cell node-a02 READY False
expect_cell node-a02 ERROR "kernel 0123 unavailable: HTTP 404"
expect_cell node-a01 ERROR ""
table=$(k get rbm -o wide)
expect_cell node-a02 REASON BootError
# The Kernel column shows the kernel in either form (url or path).
table=$(k get rbp)
echo "$table"
expect_cell debian-12-install KERNEL \
  https://deb.debian.org/debian/dists/bookworm/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux
expect_cell ubuntu-2404-autoinstall KERNEL ubuntu/24.04/vmlinuz
echo "ok - Ready, Error and Kernel columns"

# --- rejections -----------------------------------------------------------------
rejected=$(mktemp)
trap 'rm -f "$rejected"; kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT
# expect_rejected NAME EXPECTED-TEXT... < manifest: the server refuses the
# object and its message contains every EXPECTED-TEXT (field path first).
expect_rejected() {
  local name=$1 out
  shift
  if out=$(k create -f - 2>&1); then
    fail "$name: accepted by the server"
  fi
  grep -qE "is invalid|strict decoding error" <<<"$out" || fail "$name: not a validation error: $out"
  for want in "$@"; do
    grep -qF -- "$want" <<<"$out" || fail "$name: error does not mention '$want': $out"
  done
  printf 'ok - rejected %s: %.300s\n' "$name" "$out"
  echo "$name" >>"$rejected"
}

# machine NAME SPEC-LINES: a Machine in rack-a with SPEC-LINES (indented two
# spaces) appended to its spec.
machine() {
  cat <<YAML
apiVersion: rackboot.io/v1alpha1
kind: Machine
metadata: {name: $1}
spec:
  rack: rack-a
$2
YAML
}
one_nic='  interfaces: [{mac: "52:54:00:00:00:01"}]'

machine bad-mac '  interfaces: [{mac: "52:54:00:zz:00:01"}]' |
  expect_rejected "bad MAC" 'spec.interfaces[0].mac' 'should match'
machine short-mac '  interfaces: [{mac: "52:54:00:00:01"}]' |
  expect_rejected "short MAC" 'spec.interfaces[0].mac'
machine bad-ip '  interfaces: [{mac: "52:54:00:00:00:01", ipv4: "10.0.0.300"}]' |
  expect_rejected "bad IPv4" 'spec.interfaces[0].ipv4' 'ipv4'
machine ipv6-ip '  interfaces: [{mac: "52:54:00:00:00:01", ipv4: "2001:db8::1"}]' |
  expect_rejected "IPv6 in ipv4" 'spec.interfaces[0].ipv4'
machine bad-arch "$one_nic
  architecture: sparc64" | expect_rejected "unknown architecture" 'spec.architecture' 'Unsupported value: "sparc64"'
machine bad-fw "$one_nic
  firmware: coreboot" | expect_rejected "unknown firmware" 'spec.firmware' 'Unsupported value: "coreboot"'
machine two-primary '  interfaces:
  - {mac: "52:54:00:00:00:01", primary: true}
  - {mac: "52:54:00:00:00:02", primary: true}' |
  expect_rejected "two primary interfaces (CEL)" 'spec.interfaces' 'exactly one interface must have primary'
machine no-primary '  interfaces:
  - {mac: "52:54:00:00:00:01"}
  - {mac: "52:54:00:00:00:02"}' |
  expect_rejected "no primary of two interfaces (CEL)" 'spec.interfaces' 'exactly one interface must have primary'
machine dup-mac '  interfaces:
  - {mac: "52:54:00:00:00:0a", primary: true}
  - {mac: "52-54-00-00-00-0A"}' |
  expect_rejected "duplicate MAC in another spelling (CEL)" 'spec.interfaces' 'MAC addresses must be unique'
machine dup-ip '  interfaces:
  - {mac: "52:54:00:00:00:01", ipv4: 10.0.0.5, primary: true}
  - {mac: "52:54:00:00:00:02", ipv4: 10.0.0.5}' |
  expect_rejected "duplicate static IPv4 (CEL)" 'spec.interfaces' 'static IPv4 addresses must be unique'
machine many-nics "  interfaces: [$(for i in 1 2 3 4 5 6 7 8 9; do printf '{mac: "52:54:00:00:00:0%d", primary: %s},' "$i" "$([ "$i" = 1 ] && echo true || echo false)"; done)]" |
  expect_rejected "nine interfaces" 'spec.interfaces' 'must have at most 8 items'
machine no-nic '  interfaces: []' | expect_rejected "no interface" 'spec.interfaces' 'should have at least 1 items'
machine no-rack-x '  interfaces: [{mac: "52:54:00:00:00:01"}]
  rack: Rack_A' | sed '/^  rack: rack-a$/d' | expect_rejected "rack not a DNS label" 'spec.rack'
machine bad-uuid "$one_nic
  uuid: 4c4c4544-0042-3510-8052-b4c04f56593" | expect_rejected "bad SMBIOS UUID" 'spec.uuid'
machine bad-host "$one_nic
  hostname: Node_01" | expect_rejected "hostname not RFC 1123" 'spec.hostname'
machine long-host "$one_nic
  hostname: $(printf 'a%.0s' $(seq 1 64)).example.com" | expect_rejected "hostname label over 63" 'spec.hostname'
machine boot-once "$one_nic
  netboot: {allowPXE: false, bootOnce: true}" |
  expect_rejected "bootOnce without allowPXE (CEL)" 'spec.netboot.bootOnce' 'bootOnce needs allowPXE=true'
machine bad-param "$one_nic
  parameters: {\"bad-name\": x}" | expect_rejected "parameter name (CEL)" 'spec.parameters' 'parameter names must be identifiers'
machine bad-override "$one_nic
  bootFileOverrides: {sparc-uefi: snponly.efi}" | expect_rejected "bootFileOverrides key (CEL)" 'spec.bootFileOverrides' 'keys must be <arch>'
machine dotdot-override "$one_nic
  bootFileOverrides: {x86_64-uefi: ../../etc/shadow}" |
  expect_rejected "bootFileOverrides '..' (CEL)" 'spec.bootFileOverrides' "must not contain '..'"
machine no-profile-name "$one_nic
  bootProfileRef: {}" | expect_rejected "bootProfileRef without name" 'spec.bootProfileRef.name' 'Required value'
machine secret-param-twice "$one_nic
  parameters: {pw: x}
  secretParameters: {pw: {name: s, key: k}}" |
  expect_rejected "parameter in parameters and secretParameters (CEL)" 'spec.secretParameters' 'set in both parameters and secretParameters'
machine secret-param-name "$one_nic
  secretParameters: {\"bad-name\": {name: s, key: k}}" |
  expect_rejected "secretParameters name (CEL)" 'spec.secretParameters' 'must be identifiers'
machine secret-param-ref "$one_nic
  secretParameters: {pw: {name: Bad_Name, key: k}}" |
  expect_rejected "secretParameters Secret name" 'spec.secretParameters.pw.name'
machine unknown-field "$one_nic
  pxe: true" | expect_rejected "unknown field" 'unknown field "spec.pxe"'

# Status is validated too (written by the controller through /status).
k create -f - >/dev/null <<YAML
$(machine status-probe "$one_nic")
YAML
out=$(k patch machine status-probe --subresource=status --type=merge -p '{"status":{"phase":"Exploded"}}' 2>&1) &&
  fail "status phase Exploded accepted"
grep -qF 'status.phase' <<<"$out" && grep -qF 'Unsupported value: "Exploded"' <<<"$out" || fail "status phase error: $out"
out=$(k patch machine status-probe --subresource=status --type=merge \
  -p '{"status":{"conditions":[{"type":"Assigned","status":"Maybe","reason":"X","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}' 2>&1) &&
  fail "condition status Maybe accepted"
grep -qF 'status.conditions[0].status' <<<"$out" || fail "condition status error: $out"
echo "ok - status validated (phase enum, condition shape)"

profile() {
  cat <<YAML
apiVersion: rackboot.io/v1alpha1
kind: BootProfile
metadata: {name: $1}
spec:
$2
YAML
}
sha=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
kernel='  kernel: {url: "http://192.0.2.1/vmlinuz"}'

profile url-and-path "  kernel: {url: \"http://192.0.2.1/vmlinuz\", path: vmlinuz}
  cmdline: quiet" | expect_rejected "kernel with url and path (CEL)" 'spec.kernel' 'exactly one of url or path must be set'
profile neither "  kernel: {sha256: $sha}
  cmdline: quiet" | expect_rejected "kernel with neither url nor path (CEL)" 'spec.kernel' 'exactly one of url or path'
profile initrd-both "$kernel
  initrds: [{url: \"http://192.0.2.1/initrd\", path: initrd}]
  cmdline: quiet" | expect_rejected "initrd with url and path (CEL)" 'spec.initrds[0]' 'exactly one of url or path'
profile bad-sha "  kernel: {path: vmlinuz, sha256: ABC}
  cmdline: quiet" | expect_rejected "bad sha256" 'spec.kernel.sha256'
profile dotdot "  kernel: {path: images/../../etc/shadow}
  cmdline: quiet" | expect_rejected "path escaping the artifact root (CEL)" 'spec.kernel.path' "'..' is not allowed"
profile ftp "  kernel: {url: \"ftp://192.0.2.1/vmlinuz\"}
  cmdline: quiet" | expect_rejected "non-http kernel URL" 'spec.kernel.url'
profile no-kernel '  cmdline: quiet' | expect_rejected "no kernel" 'spec.kernel' 'Required value'
profile nothing-to-boot "$kernel" | expect_rejected "no cmdline, template or menu (CEL)" 'spec' 'set cmdline, a boot-loader template or a menu'
profile menu-default "$kernel
  menu:
    default: rescue
    entries: [{name: install, label: Install}]" |
  expect_rejected "menu default naming no entry (CEL)" 'spec.menu.default' 'menu.default must name one of menu.entries'
profile menu-dup "$kernel
  menu:
    default: install
    entries: [{name: install, label: A}, {name: install, label: B}]" |
  expect_rejected "duplicate menu entry names" 'spec.menu.entries[1]' 'Duplicate value'
profile menu-timeout "$kernel
  menu:
    timeoutSeconds: 99999
    default: install
    entries: [{name: install, label: A}]" | expect_rejected "menu timeout too long" 'spec.menu.timeoutSeconds'
profile menu-nodefault "$kernel
  menu:
    entries: [{name: install, label: A}]" |
  expect_rejected "menu timeout without default (CEL)" 'spec.menu.timeoutSeconds' 'needs a default entry'
profile localboot-cmdline "$kernel
  menu:
    default: disk
    entries: [{name: disk, label: Disk, action: localboot, cmdline: quiet}]" |
  expect_rejected "localboot entry with cmdline (CEL)" 'spec.menu.entries[0].cmdline' 'only entries with action boot'
profile bad-ipxe "$kernel
  templates: {ipxe: \"kernel x\"}" | expect_rejected "iPXE template without #!ipxe (CEL)" 'spec.templates.ipxe' "must start with '#!ipxe'"
profile bad-userdata "$kernel
  cmdline: quiet
  install: {cloudInit: {userData: \"hostname: x\"}}" |
  expect_rejected "cloud-init userData without header (CEL)" 'spec.install.cloudInit.userData' '#cloud-config'
profile userdata-both "$kernel
  cmdline: quiet
  install: {cloudInit: {userData: \"#cloud-config\", userDataSecretRef: {name: s, key: k}}}" |
  expect_rejected "userData and userDataSecretRef (CEL)" 'spec.install.cloudInit.userData' 'exactly one of userData or userDataSecretRef'
profile userdata-none "$kernel
  cmdline: quiet
  install: {cloudInit: {metaData: \"x\"}}" |
  expect_rejected "neither userData nor userDataSecretRef (CEL)" 'spec.install.cloudInit.userData' 'exactly one of userData or userDataSecretRef'
profile preseed-both "$kernel
  cmdline: quiet
  install: {preseed: x, preseedSecretRef: {name: s, key: k}}" |
  expect_rejected "preseed and preseedSecretRef (CEL)" 'spec.install.preseedSecretRef' 'set preseed or preseedSecretRef, not both'
profile networkconfig-both "$kernel
  cmdline: quiet
  install: {cloudInit: {userData: \"#cloud-config\", networkConfig: x, networkConfigSecretRef: {name: s, key: k}}}" |
  expect_rejected "networkConfig and its SecretRef (CEL)" 'spec.install.cloudInit.networkConfigSecretRef' 'not both'
profile secretref-nokey "$kernel
  cmdline: quiet
  install: {kickstartSecretRef: {name: s}}" |
  expect_rejected "SecretRef without key" 'spec.install.kickstartSecretRef.key' 'Required value'
profile param-name "$kernel
  cmdline: quiet
  parameters: [{name: 1abc}]" | expect_rejected "parameter name" 'spec.parameters[0].name'
profile param-required "$kernel
  cmdline: quiet
  parameters: [{name: pw, required: true, default: x}]" |
  expect_rejected "required parameter with default (CEL)" 'spec.parameters[0]' 'a required parameter cannot have a default'

# The rules are not stricter than documented: these edge cases are accepted.
expect_accepted() {
  local name=$1 out
  out=$(k create -f - 2>&1) || fail "$name: rejected: $out"
  echo "ok - accepted $name"
}
machine upper-dash-mac '  interfaces: [{mac: "52-54-00-AB-CD-EF"}]' | expect_accepted "upper-case MAC with dashes"
machine single-unflagged '  interfaces: [{mac: "52:54:00:00:00:01", ipv4: 192.0.2.10}]
  hostname: a
  uuid: 4C4C4544-0042-3510-8052-B4C04F565931
  architecture: arm64
  firmware: bios
  netboot: {allowPXE: false}
  parameters: {_x: "1", Y2: ""}
  bootFileOverrides: {arm64: grubaa64.efi, i386-bios: pxelinux/lpxelinux.0}' |
  expect_accepted "single interface without primary flag, every optional field"
machine eight-nics "  interfaces: [$(for i in 1 2 3 4 5 6 7 8; do printf '{mac: "52:54:00:00:01:0%d", primary: %s},' "$i" "$([ "$i" = 8 ] && echo true || echo false)"; done)]" |
  expect_accepted "eight interfaces, the last one primary"
profile path-sha "  kernel: {path: debian/12/linux, sha256: $sha}
  initrds: [{path: debian/12/initrd.gz}, {url: \"https://192.0.2.1/firmware.cpio.gz\", sha256: $sha}]
  templates: {grub: \"linux /x\", pxelinux: \"DEFAULT x\"}" | expect_accepted "path+sha256 kernel, mixed initrds, grub/pxelinux templates only"
profile menu-wait "$kernel
  menu:
    timeoutSeconds: 0
    entries: [{name: shell, label: Shell, action: shell}]" | expect_accepted "menu waiting forever without default"
profile kickstart "$kernel
  cmdline: inst.ks={{installConfigUrl}}
  install: {kickstart: \"text\", preseed: \"d-i x\", cloudInit: {userData: \"#!/bin/sh\", networkConfig: \"version: 2\"}}
  parameters: [{name: pw, required: true}, {name: tz, default: UTC, description: Time zone}]" |
  expect_accepted "install configs and parameters"
profile from-secrets "$kernel
  cmdline: quiet
  install:
    cloudInit:
      userDataSecretRef: {name: node-secrets, key: user-data}
      metaData: \"instance-id: x\"
      vendorDataSecretRef: {name: node-secrets, key: vendor-data}
      networkConfigSecretRef: {name: node-secrets, key: network.config}
    kickstartSecretRef: {name: node-secrets, key: ks.cfg}
    preseed: \"d-i x\"" | expect_accepted "install configs from Secrets beside inline ones"
machine with-secret-params "  interfaces: [{mac: \"52:54:00:00:00:61\"}]
  parameters: {tz: UTC}
  secretParameters: {passwordHash: {name: node-secrets, key: password-hash}}" |
  expect_accepted "secretParameters beside parameters"
# kubectl explain shows the schema descriptions (every node has one:
# tests/unit/tools/crd_reference), deep status fields included. Its text
# is wrapped, so lines are joined before matching.
explain() { kubectl explain "$1" 2>&1 | tr '\n' ' ' | tr -s ' '; }
grep -qF 'reinstalling' <<<"$(explain rbm.spec.netboot.allowPXE)" ||
  fail "kubectl explain rbm.spec.netboot.allowPXE: $(explain rbm.spec.netboot.allowPXE)"
out=$(explain rbm.status.bootProgress.stages.durationMillis)
grep -qF 'How long bootd took to serve it, in milliseconds' <<<"$out" || fail "explain durationMillis: $out"
out=$(explain rbm.status.lastError.stage)
grep -qF 'The stage the boot had reached when it failed' <<<"$out" || fail "explain lastError.stage: $out"
out=$(explain rbm.status.conditions)
grep -qF 'kubectl wait --for=condition=Ready uses it' <<<"$out" || fail "explain conditions: $out"
out=$(explain rbp.spec.install.cloudInit.userData)
grep -qF 'starting with #cloud-config' <<<"$out" || fail "explain userData: $out"
echo "ok - kubectl explain shows field documentation, status included"

# Updates are validated as well, not only creates.
out=$(k patch machine node-a01 --type=json -p '[{"op":"replace","path":"/spec/interfaces/1/primary","value":true}]' 2>&1) &&
  fail "update to two primaries accepted"
grep -qF 'exactly one interface must have primary' <<<"$out" || fail "update error: $out"
echo "ok - updates validated"

# Nothing invalid slipped in.
[ "$(k get machines -o name | wc -l)" = 7 ] || fail "unexpected machines: $(k get machines -o name)"
[ "$(k get bootprofiles -o name | wc -l)" = 6 ] || fail "unexpected profiles: $(k get bootprofiles -o name)"
echo "PASS: $(wc -l <"$rejected") bad manifests rejected with the field named"
