#!/usr/bin/env bash
# The operator docs' commands, run (fixture "k8s": the real kube-apiserver
# with the CRDs; "helm": the real helm). Every block marked
# `<!-- doc-test: KIND -->` (tests/integration/docs/doc_blocks.py) of the
# docs below is run; a block that fails fails the test with the doc's file
# and line:
#   sh           in doc order, in one work directory (the repository's helm/,
#                deploy/, crds/ and kubectl-plugin/ linked in, earlier blocks'
#                file= there too), with `helm` the real helm and `kubectl`
#                against the test apiserver; the docs' namespaces
#                (rackboot-system, metal) and Node names are replaced with
#                names of this test's own, and the Nodes are created first
#   helm-values  helm lint --strict, helm template, and every rendered
#                bootd.yaml/controller.yaml through the binaries' loaders
#   manifests    kubectl apply --dry-run=server in a namespace of ours
#   bootd-config bootd --check-config in a network namespace holding the
#                interface and address the marker names, the config's paths
#                moved below a scratch root; must say "configuration ok"
#                with no warning but missing boot files (host content)
# and every "`key` (default)" of a chart value in them is the chart's default.
# Usage: doc_commands_test.sh <source dir> <bootd> <rendered_config_check>
# Needs KUBECONFIG and root (network namespaces).
set -euo pipefail
SRC=$1
BOOTD=$2
CONFIG_CHECK=$3
source "$SRC/tests/integration/helm/lib.sh"  # HELM, CHART, KV, work (removed on exit), fail, step

# The docs whose commands are tested, in the order an operator follows them
# (upgrading.md upgrades what getting-started.md installed).
DOCS=(docs/getting-started.md docs/dhcp-modes.md docs/upgrading.md docs/docker-images.md)

tag=rbt$$-docs
ns_system=$tag-system
ns_metal=$tag-metal
ns_dry=$tag-dry
netns_list=()
nodes=()
cleanup() {
  set +e
  "$HELM" uninstall rackboot -n "$ns_system" >/dev/null 2>&1
  kubectl delete clusterrole,clusterrolebinding -l app.kubernetes.io/instance=rackboot >/dev/null 2>&1
  for n in "$ns_system" "$ns_metal" "$ns_dry"; do kubectl delete namespace "$n" --wait=false >/dev/null 2>&1; done
  for n in "${nodes[@]}"; do kubectl delete node "$n" --wait=false >/dev/null 2>&1; done
  for n in "${netns_list[@]}"; do ip netns del "$n" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$SRC"
step "defaults the docs name (the port table) are the chart's"
python3 "$SRC/tests/integration/docs/doc_blocks.py" chart-defaults helm/rackboot/values.yaml "${DOCS[@]}"
python3 "$SRC/tests/integration/docs/doc_blocks.py" extract "$work/blocks" "${DOCS[@]}" > "$work/index"
echo "marked blocks: $(wc -l < "$work/index") in ${DOCS[*]}"

run=$work/run
mkdir -p "$run/bin" "$work/cfg"
for d in helm deploy crds kubectl-plugin; do ln -s "$SRC/$d" "$run/$d"; done
ln -s "$HELM" "$run/bin/helm"
kubectl create namespace "$ns_dry" >/dev/null

# opt NAME OPTIONS: the value of NAME=... in OPTIONS (empty if absent).
opt() { local o; for o in $2; do [ "${o%%=*}" != "$1" ] || { echo "${o#*=}"; return; }; done; }

# The docs' names for things this shared apiserver may hold already.
rename() {
  local s=(-e "s/\brackboot-system\b/$ns_system/g" -e "s/\bmetal\b/$ns_metal/g") n
  for n in "${nodes[@]}"; do s+=(-e "s/\b${n#"$tag-"}\b/$n/g"); done
  sed "${s[@]}" "$1"
}

run_sh() {
  local where=$1 block=$2 options=$3 n
  for n in $(opt nodes "$options" | tr , ' '); do
    nodes+=("$tag-$n")
    kubectl create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata: {name: $tag-$n}
YAML
  done
  rename "$block" > "$work/cmd.sh"
  # set -x shows each command as the doc has it (renamed) before it runs.
  (cd "$run" && PATH="$run/bin:$PATH" bash -euo pipefail -x "$work/cmd.sh") ||
    fail "$where: a command of this block failed (above)"
}

run_helm_values() {
  local where=$1 block=$2
  "$HELM" lint --strict "${KV[@]}" "$CHART" -f "$block" || fail "$where: helm lint --strict refused these values"
  "$HELM" template rb "$CHART" "${KV[@]}" -n rackboot-system -f "$block" > "$work/rendered.yaml" ||
    fail "$where: helm template refused these values"
  rm -rf "$work/cfg"/*
  "$CONFIG_CHECK" "$work/rendered.yaml" "$work/cfg" || fail "$where: a rendered config is refused by its binary's loader"
}

run_manifests() {
  local where=$1 block=$2
  kubectl apply --dry-run=server -n "$ns_dry" -f "$block" || fail "$where: the API server refused these manifests"
}

run_bootd_config() {
  local where=$1 block=$2 options=$3 iface addr manifests root config netns out
  iface=$(opt iface "$options")
  addr=$(opt addr "$options")
  [ -n "$iface" ] && [ -n "$addr" ] || fail "$where: bootd-config needs iface=NAME addr=CIDR in its marker"
  root=$work/root-$(basename "$block" .block)
  config=$root/bootd.yaml
  mkdir -p "$root"
  cp "$block" "$config"
  python3 "$SRC/tests/integration/docs/doc_blocks.py" relocate "$config" "$root"
  manifests=$(opt manifests "$options")
  if [ -n "$manifests" ]; then
    local dir
    dir=$(sed -n 's/^manifestDir:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$config")
    [ -n "$dir" ] || fail "$where: manifests=$manifests but the config has no manifestDir"
    [ -f "$run/$manifests" ] || fail "$where: manifests=$manifests: no block has file=$manifests"
    cp "$run/$manifests" "$dir/"
  fi
  # A namespace of our own (tests/support/netns_lab.h's naming: rbt<pid>-...,
  # swept when this process is gone) with the interface the config is for.
  netns=$tag-cfg${#netns_list[@]}
  netns_list+=("$netns")
  ip netns add "$netns"
  ip -n "$netns" link set lo up
  ip -n "$netns" link add "$iface" type veth peer name rbpeer
  ip -n "$netns" addr add "$addr" dev "$iface"
  ip -n "$netns" link set rbpeer up
  ip -n "$netns" link set "$iface" up
  if ! out=$(ip netns exec "$netns" "$BOOTD" --check-config --config "$config" 2>&1); then
    echo "$out"
    fail "$where: bootd --check-config refused this config (line numbers are the block's)"
  fi
  echo "$out"
  grep -q '^configuration ok' <<<"$out" || fail "$where: no 'configuration ok'"
  if grep '^warning:' <<<"$out" | grep -v ': this class of firmware will not boot$' >/dev/null; then
    fail "$where: bootd --check-config warns about this config"
  fi
  if [ -n "$manifests" ]; then
    grep -Eq '^manifests: .* machines=[1-9][0-9]* problems=0$' <<<"$out" ||
      fail "$where: the manifests in manifestDir do not serve a Machine of this rack"
  fi
}

# Files first: a block may name one that the doc shows after it (the
# manifests of a config).
while IFS=$'\t' read -r doc line kind options block; do
  file=$(opt file "$options")
  [ -z "$file" ] || [ ! -e "$run/$file" ] || fail "$doc:$line: file=$file is written by another block too"
  [ -z "$file" ] || cp "$block" "$run/$file"
done < "$work/index"

count=0
while IFS=$'\t' read -r doc line kind options block; do
  where="$doc:$line"
  step "$where: $kind $options"
  case "$kind" in
    sh) run_sh "$where" "$block" "$options" ;;
    helm-values) run_helm_values "$where" "$block" ;;
    manifests) run_manifests "$where" "$block" ;;
    bootd-config) run_bootd_config "$where" "$block" "$options" ;;
  esac
  count=$((count + 1))
done < "$work/index"
[ "$count" -gt 0 ] || fail "no block ran"
echo "PASS: $count marked blocks of ${#DOCS[@]} docs"
