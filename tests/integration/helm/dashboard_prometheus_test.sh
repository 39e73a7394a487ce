#!/usr/bin/env bash
# A real Prometheus server (Debian prometheus) scrapes two MetricsServers
# carrying the bootd and controller catalogs and one simulated boot
# (metrics_exporter), then evaluates every PromQL expression of the Grafana
# dashboard through its HTTP API: each must succeed and return series.
# Everything listens on 127.0.0.1.
# Usage: dashboard_prometheus_test.sh <source dir> <metrics_exporter binary>
set -euo pipefail
SRC=$1
EXPORTER=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/prometheus.log" ] && tail -20 "$work/prometheus.log" >&2; exit 1; }

mkfifo "$work/stdin"
"$EXPORTER" "$work/ports" < "$work/stdin" &
pids+=($!)
exec 3>"$work/stdin"  # the exporter serves while this stays open
for _ in $(seq 100); do [ -s "$work/ports" ] && break; sleep 0.1; done
read -r bootd_port controller_port < "$work/ports" || fail "exporter did not start"

prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/prometheus.yml" <<CONFIG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: bootd
    static_configs: [{targets: ["127.0.0.1:$bootd_port"]}]
  - job_name: controller
    static_configs: [{targets: ["127.0.0.1:$controller_port"]}]
CONFIG
promtool check config "$work/prometheus.yml" >/dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" > "$work/prometheus.log" 2>&1 &
pids+=($!)

python3 "$SRC/tests/support/prometheus_dashboard_check.py" --dashboard "$SRC/deploy/grafana/rackboot-boot-progress.json" \
  --port "$prom_port" --rack rack-a --scrapes 4 || fail "dashboard queries"
echo PASS
