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

python3 - "$SRC/deploy/grafana/rackboot-boot-progress.json" "$prom_port" <<'PY' || fail "dashboard queries"
import json, sys, time, urllib.parse, urllib.request

dashboard, port = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}/api/v1"

def get(path, **params):
    url = f"{base}/{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)

# Until both targets have been scraped a few times (rate() needs two samples).
for _ in range(600):
    try:
        r = get("query", query='min(count_over_time(up{job=~"bootd|controller"}[1m])) >= 4 and on() count(up == 1) == 2')
        if r["data"]["result"]:
            break
    except OSError:
        pass
    time.sleep(0.2)
else:
    sys.exit("targets never scraped")

def walk(node, out):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            out.append(node["expr"])
        for v in node.values():
            walk(v, out)
    elif isinstance(node, list):
        for v in node:
            walk(v, out)

exprs = []
walk(json.load(open(dashboard)), exprs)
subst = {"$__rate_interval": "1m", "$__range": "1h", "$rack": ".*", "$stage": "booted"}
bad = 0
for expr in exprs:
    q = expr
    for k, v in subst.items():
        q = q.replace(k, v)
    r = get("query", query=q)
    n = len(r["data"]["result"]) if r.get("status") == "success" else -1
    print(f"{n:3d} series  {expr}")
    if n < 1:
        bad += 1
# The rack variable's query finds the rack.
racks = get("label/rack/values", **{"match[]": '{__name__=~"rackboot_machines|rackboot_build_info"}'})["data"]
print("rack variable:", racks)
if "rack-a" not in racks:
    bad += 1
print(f"{len(exprs)} expressions, {bad} without data")
sys.exit(1 if bad or len(exprs) < 30 else 0)
PY
echo PASS
