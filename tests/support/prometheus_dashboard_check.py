#!/usr/bin/env python3
"""Evaluates every PromQL expression of a Grafana dashboard on a real
Prometheus server through its HTTP API: each must parse (status success) and
return series; the dashboard's rack variable query must find the rack.

Used by tests/integration/helm/dashboard_prometheus_test.sh (a simulated
boot) and tests/e2e/controller_boot_test.cc (a real boot scraped from the
real bootd and rackboot-controller).

Grafana variables are substituted the way a user looking at one rack sees
them: $rack is the rack, $stage "booted", $__range 1h, $__rate_interval and
$__interval the --rate-interval window.
"""
import argparse
import json
import math
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dashboard", required=True, help="Grafana dashboard JSON")
    p.add_argument("--port", required=True, help="Prometheus on 127.0.0.1:PORT")
    p.add_argument("--rack", required=True, help="value of $rack; the rack variable must list it")
    p.add_argument("--jobs", default="bootd,controller", help="scrape jobs that must be up")
    p.add_argument("--scrapes", type=int, default=4,
                   help="successful scrapes of every job to wait for, counted from now")
    p.add_argument("--rate-interval", default="1m", help="value of $__rate_interval and $__interval")
    p.add_argument("--finite", action="store_true",
                   help="an expression passes only with at least one non-NaN sample (0/0 and a quantile "
                   "of no observations are NaN)")
    p.add_argument("--timeout", type=float, default=120, help="seconds to wait for the scrapes")
    return p.parse_args()


class Prometheus:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}/api/v1"

    def get(self, path, **params):
        url = f"{self.base}/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:  # a bad query is a 400 with an error body
            return json.load(e)

    def query(self, q):
        return self.get("query", query=q)


def wait_for_scrapes(prom, jobs, scrapes, timeout):
    """Until every job has `scrapes` successful scrapes after now (rate()
    needs two samples; a fresh scrape sees the state reached so far)."""
    seen = {job: set() for job in jobs}
    deadline = time.time() + timeout
    start = time.time()
    while time.time() < deadline:
        try:
            # timestamp() of a selector is the scrape's time (of anything
            # computed, e.g. `up == 1`, it would be the evaluation time).
            up = {s["metric"].get("job"): s["value"][1] for s in prom.query("up")["data"]["result"]}
            for s in prom.query("timestamp(up)")["data"]["result"]:
                job, ts = s["metric"].get("job"), float(s["value"][1])
                if job in seen and ts >= start and up.get(job) == "1":
                    seen[job].add(ts)
            if all(len(v) >= scrapes for v in seen.values()):
                return None
        except OSError:
            pass  # Prometheus still starting
        time.sleep(0.2)
    return "scrapes after the check started, by job: " + ", ".join(f"{j}={len(v)}" for j, v in seen.items())


def dashboard_exprs(node, out):
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            out.append(node["expr"])
        for v in node.values():
            dashboard_exprs(v, out)
    elif isinstance(node, list):
        for v in node:
            dashboard_exprs(v, out)
    return out


def check_expr(prom, expr, args):
    """(ok, printable summary)."""
    q = expr
    for k, v in (("$__rate_interval", args.rate_interval), ("$__interval", args.rate_interval),
                 ("$__range", "1h"), ("$rack", args.rack), ("$stage", "booted")):
        q = q.replace(k, v)
    r = prom.query(q)
    if r.get("status") != "success":
        return False, f"ERROR {r.get('errorType')}: {r.get('error')}"
    series = r["data"]["result"]
    if not series:
        return False, "no series"
    # Per-rack results carry the rack the query selected.
    racks = {s["metric"]["rack"] for s in series if "rack" in s["metric"]}
    if racks and args.rack not in racks:
        return False, f"racks {sorted(racks)}, not {args.rack}"
    values = [float(s["value"][1]) for s in series]
    finite = [v for v in values if not math.isnan(v)]
    shown = " ".join(f"{v:g}" for v in values[:6]) + (" ..." if len(values) > 6 else "")
    if args.finite and not finite:
        return False, f"only NaN ({len(series)} series)"
    return True, f"{len(series)} series: {shown}"


def main():
    args = parse_args()
    prom = Prometheus(args.port)
    jobs = [j for j in args.jobs.split(",") if j]
    why = wait_for_scrapes(prom, jobs, args.scrapes, args.timeout)
    if why:
        print(f"targets not scraped: {why}", file=sys.stderr)
        print(json.dumps(prom.get("targets").get("data", {}).get("activeTargets", []), indent=1), file=sys.stderr)
        return 1
    with open(args.dashboard) as f:
        exprs = dashboard_exprs(json.load(f), [])
    bad = 0
    for expr in exprs:
        ok, summary = check_expr(prom, expr, args)
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {expr}\n       -> {summary}")
    racks = prom.get("label/rack/values", **{"match[]": '{__name__=~"rackboot_machines|rackboot_build_info"}'})
    print("rack variable:", racks.get("data"))
    if args.rack not in racks.get("data", []):
        bad += 1
    print(f"{len(exprs)} expressions, {bad} failed")
    return 1 if bad or len(exprs) < 30 else 0


if __name__ == "__main__":
    sys.exit(main())
