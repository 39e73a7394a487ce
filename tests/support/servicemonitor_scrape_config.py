#!/usr/bin/env python3
"""Writes a Prometheus configuration that scrapes the targets a
ServiceMonitor selects, chosen as the Prometheus Operator chooses them, for a
cluster without the Operator and a Prometheus without Kubernetes service
discovery (Debian's prometheus is built without kubernetes_sd_configs).

Per endpoint of the ServiceMonitor (one scrape job each, as the Operator
makes): every Service in the selected namespaces whose labels match
spec.selector.matchLabels, and of its Endpoints object every address
(ready or not, as the Operator's `endpoints` role keeps both) with the port
named endpoints[].port. Target labels as the Operator sets them: job (the
Service's name), namespace, service, pod, endpoint. The targets go into a
file_sd file per job (rewritten by running this again: Prometheus rereads
it); the configuration goes to stdout.

Fields the selection does not know (matchExpressions, targetPort,
relabelings, TLS, ...) are an error naming the field, so the ServiceMonitor
cannot say more than what is tested.

Used by tests/e2e/cluster/vm_boot_on_node.sh with the chart's rendered
ServiceMonitor and `kubectl get services,endpoints -A -o json`.
"""
import argparse
import json
import os
import sys

import yaml

KNOWN_SPEC = {"selector", "namespaceSelector", "endpoints"}
KNOWN_ENDPOINT = {"port", "path", "interval", "scheme"}


def fail(msg):
    print(f"servicemonitor_scrape_config: {msg}", file=sys.stderr)
    sys.exit(1)


def check_known(sm):
    name, spec = sm.get("metadata", {}).get("name"), sm.get("spec", {})
    for key in spec:
        if key not in KNOWN_SPEC:
            fail(f"ServiceMonitor {name}: spec.{key} is not translated")
    for key in spec.get("selector", {}):
        if key != "matchLabels":
            fail(f"ServiceMonitor {name}: spec.selector.{key} is not translated")
    for key in spec.get("namespaceSelector", {}):
        if key != "matchNames":
            fail(f"ServiceMonitor {name}: spec.namespaceSelector.{key} is not translated")
    for i, ep in enumerate(spec.get("endpoints", [])):
        for key in ep:
            if key not in KNOWN_ENDPOINT:
                fail(f"ServiceMonitor {name}: spec.endpoints[{i}].{key} is not translated")
        if "port" not in ep:
            fail(f"ServiceMonitor {name}: spec.endpoints[{i}].port is required here")


def targets(sm, ep, objects):
    """file_sd groups: one per selected Service with an address on the port."""
    meta, spec = sm["metadata"], sm["spec"]
    namespaces = spec.get("namespaceSelector", {}).get("matchNames") or [meta.get("namespace", "default")]
    want = spec.get("selector", {}).get("matchLabels", {})
    services = [o for o in objects if o["kind"] == "Service" and o["metadata"]["namespace"] in namespaces and
                all(o["metadata"].get("labels", {}).get(k) == str(v) for k, v in want.items())]
    endpoints = {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objects if o["kind"] == "Endpoints"}
    groups = []
    for svc in sorted(services, key=lambda s: (s["metadata"]["namespace"], s["metadata"]["name"])):
        ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
        for subset in endpoints.get((ns, name), {}).get("subsets") or []:
            ports = [p["port"] for p in subset.get("ports", []) if p.get("name") == ep["port"]]
            for addr in (subset.get("addresses") or []) + (subset.get("notReadyAddresses") or []):
                for port in ports:
                    groups.append({
                        "targets": [f"{addr['ip']}:{port}"],
                        "labels": {"job": name, "namespace": ns, "service": name, "endpoint": ep["port"],
                                   "pod": addr.get("targetRef", {}).get("name", "")},
                    })
    return groups


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("servicemonitor", help="YAML with one or more ServiceMonitors (other kinds are ignored)")
    ap.add_argument("--objects", required=True, help="kubectl get services,endpoints -A -o json")
    ap.add_argument("--targets-dir", required=True, help="where the file_sd files are written")
    a = ap.parse_args()
    with open(a.servicemonitor) as f:
        monitors = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == "ServiceMonitor"]
    if not monitors:
        fail(f"{a.servicemonitor}: no ServiceMonitor")
    with open(a.objects) as f:
        objects = json.load(f)["items"]
    os.makedirs(a.targets_dir, exist_ok=True)
    jobs = []
    for sm in monitors:
        check_known(sm)
        meta = sm["metadata"]
        for i, ep in enumerate(sm["spec"].get("endpoints", [])):
            job_name = f"serviceMonitor/{meta.get('namespace')}/{meta['name']}/{i}"
            path = os.path.join(a.targets_dir, f"{meta['name']}-{i}.json")
            groups = targets(sm, ep, objects)
            if not groups:
                fail(f"{job_name}: selects no target")
            with open(path + ".tmp", "w") as f:
                json.dump(groups, f, indent=1)
            os.replace(path + ".tmp", path)  # Prometheus never reads half a file
            job = {"job_name": job_name, "metrics_path": ep.get("path", "/metrics"),
                   "scheme": ep.get("scheme", "http"), "file_sd_configs": [{"files": [path]}]}
            if "interval" in ep:
                job["scrape_interval"] = ep["interval"]
            jobs.append(job)
    if not jobs:
        fail("the ServiceMonitors have no endpoints")
    yaml.safe_dump({"global": {"evaluation_interval": "1s"}, "scrape_configs": jobs}, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
