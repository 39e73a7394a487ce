#!/usr/bin/env python3
"""Controller benchmark driver (issue 6), started by bench/controller/run.

Against a throw-away apiserver (env file of scripts/k8s-testenv/start):
 1. creates BootProfiles, starts the controller, waits until it leads;
 2. creates N Machines over several keep-alive HTTPS connections (one thread
    each), spread over racks and profiles;
 3. a watch on Machines records when each one is first seen Assigned with
    status.observedGeneration == metadata.generation; reports "creation
    finished" and "all Assigned", both from the first create;
 4. change phase: at RATE changes/s moves random Machines to another rack
    (a merge PATCH of spec.rack, so the address must change) and measures
    the time from sending the PATCH to the watch showing the new generation
    Assigned with an address from the new rack's pool (p50/p99/max);
 5. controller peak RSS (VmHWM), CPU time, and the API requests it made
    (apiserver_request_total deltas minus the requests this driver sent).
Prints a markdown report; exits 1 if a check fails (duplicate IP, timeout).

Only loopback: the server URL comes from the env file of a local testenv.
"""

import argparse
import http.client
import json
import os
import queue
import random
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

GROUP = "/apis/rackboot.io/v1alpha1"
NS = "bench"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Api:
    """One keep-alive HTTPS connection with the admin client cert."""

    def __init__(self, env):
        url = urllib.parse.urlparse(env["K8S_SERVER"])
        assert url.hostname in ("127.0.0.1", "localhost"), "loopback only"
        self.host, self.port = url.hostname, url.port
        self.ctx = ssl.create_default_context(cafile=env["K8S_CA"])
        self.ctx.load_cert_chain(env["K8S_CLIENT_CERT"], env["K8S_CLIENT_KEY"])
        self.conn = None

    def connect(self, timeout=60):
        return http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=timeout)

    def call(self, method, path, body=None, content_type="application/json"):
        for attempt in range(3):
            if self.conn is None:
                self.conn = self.connect()
            try:
                headers = {"Accept": "application/json"}
                data = None
                if body is not None:
                    data = body if isinstance(body, bytes) else json.dumps(body).encode()
                    headers["Content-Type"] = content_type
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, raw
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def rack_pool(i):
    """Rack i: subnet 10.(100+i).0.0/16, pool .0.10 - .255.250 (config only)."""
    return f"10.{100 + i}.0.0/16", f"10.{100 + i}.0.10", f"10.{100 + i}.255.250"


def controller_config(env, racks):
    lines = [
        f"kubeconfig: {env['KUBECONFIG']}",
        f"namespace: {NS}",
        "logLevel: warn",
        "leaderElection:",
        "  enabled: true",
        f"  leaseNamespace: {NS}",
    ]
    lines.append("racks:")
    for i in range(racks):
        subnet, start, end = rack_pool(i)
        lines += [f"- name: rack-{i}", f"  subnet: {subnet}", f"  pool: {{start: {start}, end: {end}}}"]
    return "\n".join(lines) + "\n"


def machine(i, racks, profiles):
    mac = "02:%02x:%02x:%02x:%02x:%02x" % (0xB0, (i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)
    return {
        "apiVersion": "rackboot.io/v1alpha1",
        "kind": "Machine",
        "metadata": {"name": f"m{i:06d}", "namespace": NS},
        "spec": {
            "rack": f"rack-{i % racks}",
            "interfaces": [{"mac": mac}],
            "bootProfileRef": {"name": f"profile-{i % profiles}"},
        },
    }


class Watcher(threading.Thread):
    """Watches Machines; keeps, per name, the latest (generation, observed,
    phase, ipv4, rack) and the first time each generation was seen Assigned.
    This thread only reads lines and stamps them; a second thread parses, so
    the apiserver never finds this watcher slow (it closes watchers that do
    not keep up, "Forcing ... watcher close due to unresponsiveness")."""

    def __init__(self, env, resource_version):
        super().__init__(daemon=True)
        self.api = Api(env)
        self.rv = resource_version
        self.lock = threading.Condition()
        self.state = {}  # name -> (generation, observedGeneration, phase, ipv4, rack)
        self.assigned_at = {}  # (name, generation) -> monotonic time
        self.assigned = set()  # names whose current generation is Assigned
        self.events = 0
        self.reconnects = 0
        self.error = None
        self.lines = queue.Queue()
        threading.Thread(target=self.parse_loop, daemon=True).start()

    def run(self):
        try:
            while True:
                self.watch_once()
                self.lines.join()  # parsed up to here: self.rv is the last one
                self.reconnects += 1
        except Exception as e:  # reported by the main thread
            self.error = repr(e)

    def watch_once(self):
        conn = self.api.connect(timeout=None)
        path = f"{GROUP}/namespaces/{NS}/machines?watch=1&allowWatchBookmarks=true&timeoutSeconds=3600"
        path += f"&resourceVersion={self.rv}"
        conn.request("GET", path, headers={"Accept": "application/json"})
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"watch: HTTP {resp.status} {resp.read()[:200]}")
        while True:
            line = resp.readline()
            if not line:
                conn.close()
                return
            self.lines.put((time.monotonic(), line))

    def parse_loop(self):
        while True:
            now, line = self.lines.get()
            try:
                ev = json.loads(line)
                obj = ev.get("object", {})
                md = obj.get("metadata", {})
                if ev.get("type") == "ERROR":
                    self.error = f"watch error event: {line[:200]}"
                elif md.get("resourceVersion"):
                    self.rv = md["resourceVersion"]
                if ev.get("type") in ("ADDED", "MODIFIED", "DELETED"):
                    self.observe(now, ev["type"], obj)
            finally:
                self.lines.task_done()

    def observe(self, now, kind, obj):
        md, st, spec = obj.get("metadata", {}), obj.get("status") or {}, obj.get("spec", {})
        name, gen = md.get("name"), md.get("generation", 0)
        with self.lock:
            self.events += 1
            if kind == "DELETED":
                self.state.pop(name, None)
                self.assigned.discard(name)
                return
            self.state[name] = (gen, st.get("observedGeneration"), st.get("phase"), st.get("ipv4"), spec.get("rack"))
            ok = st.get("phase") == "Assigned" and st.get("observedGeneration") == gen
            if ok:
                self.assigned_at.setdefault((name, gen), now)
                self.assigned.add(name)
            else:
                self.assigned.discard(name)
            self.lock.notify_all()


class Metrics:
    """apiserver_request_total, summed by (verb, resource, subresource)."""

    LINE = re.compile(r"^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$")

    def __init__(self, env):
        self.api = Api(env)

    def scrape(self):
        status, raw = self.api.call("GET", "/metrics")
        if status != 200:
            raise RuntimeError(f"/metrics: HTTP {status}")
        out = {}
        for line in raw.decode().splitlines():
            m = self.LINE.match(line)
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            key = (labels.get("verb"), labels.get("resource"), labels.get("subresource", ""))
            out[key] = out.get(key, 0) + float(m.group(2))
        return out

    @staticmethod
    def delta(before, after, own):
        d = {}
        for k, v in after.items():
            n = v - before.get(k, 0) - own.get(k, 0)
            if n > 0.5 and k[1] in ("machines", "events", "leases", "bootprofiles"):
                d[k] = int(round(n))
        return d


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        out["cpu_s"] = (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        pass
    return out


def server_cpu(k8s_dir):
    """CPU seconds used so far by kube-apiserver + etcd (from their pid files)."""
    total = 0.0
    for name in ("kube-apiserver", "etcd"):
        try:
            with open(os.path.join(k8s_dir, f"{name}.pid")) as f:
                total += proc_status(int(f.read().strip())).get("cpu_s", 0.0)
        except (OSError, ValueError, TypeError):
            pass
    return total


def kb(text):
    return int(text.split()[0]) if text else 0


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def wait_for(pred, timeout, what, watcher=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if watcher is not None and watcher.error:
            raise RuntimeError(f"watch failed: {watcher.error}")
        if pred():
            return True
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def run_indexed(env, count, threads, fn):
    """Calls fn(api, i) for i in 0..count-1 on `threads` threads, each with
    its own keep-alive connection, taking the next index as it goes."""
    next_i = [0]
    lock = threading.Lock()

    def worker():
        api = Api(env)
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= count:
                return
            fn(api, i)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def create_all(env, n, racks, profiles, connections):
    """Creates m000000..; returns the failures."""
    failures = []

    def create(api, i):
        body = json.dumps(machine(i, racks, profiles)).encode()
        status, raw = api.call("POST", f"{GROUP}/namespaces/{NS}/machines", body)
        if status != 201:
            failures.append((i, status, raw[:200]))

    run_indexed(env, n, connections, create)
    return failures


def change_phase(env, watcher, n, racks, rate, seconds, senders=8):
    """Moves random Machines to the next rack at `rate`/s (each change sent at
    its scheduled time by one of `senders` connections); returns latencies."""
    count = int(rate * seconds)
    names = random.Random(6).sample(range(n), min(count, n))
    pending = {}  # (name, generation) -> (sent, new rack)
    lock = threading.Lock()
    errors = []
    start = time.monotonic() + 0.2

    def change(api, k):
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        name = f"m{names[k]:06d}"
        with watcher.lock:
            cur_rack = watcher.state[name][4]
        new_rack = f"rack-{(int(cur_rack.split('-')[1]) + 1) % racks}"
        t0 = time.monotonic()
        status, raw = api.call(
            "PATCH",
            f"{GROUP}/namespaces/{NS}/machines/{name}",
            {"spec": {"rack": new_rack}},
            content_type="application/merge-patch+json",
        )
        if status != 200:
            errors.append(f"PATCH {name}: HTTP {status} {raw[:200]}")
            return
        gen = json.loads(raw)["metadata"]["generation"]
        with lock:
            pending[(name, gen)] = (t0, new_rack)

    run_indexed(env, len(names), senders, change)
    if errors:
        raise RuntimeError(f"{len(errors)} changes failed, first: {errors[0]}")
    sent = len(pending)
    behind = time.monotonic() - start - seconds
    lat = []

    def in_pool(ip, rack):
        return ip and ip.startswith(f"10.{100 + int(rack.split('-')[1])}.")

    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        with watcher.lock:
            for key in list(pending):
                at = watcher.assigned_at.get(key)
                st = watcher.state.get(key[0])
                if at is not None and st and in_pool(st[3], pending[key][1]):
                    lat.append(at - pending[key][0])
                    del pending[key]
        time.sleep(0.05)
    return sent, lat, len(pending), behind


def create_only(a, env, watcher):
    """The creation alone, no controller: what the apiserver costs per
    Machine before any reconcile (the floor under the full run)."""
    load = uptime()
    srv0 = server_cpu(a.k8s_dir) if a.k8s_dir else 0.0
    t0 = time.monotonic()
    failures = create_all(env, a.machines, a.racks, a.profiles, a.connections)
    t_created = time.monotonic() - t0
    wait_for(lambda: len(watcher.state) >= a.machines, a.timeout, "all seen by the watch", watcher)
    srv1 = server_cpu(a.k8s_dir) if a.k8s_dir else 0.0
    print("## Creation only (no controller)\n")
    print(f"- load before: `{load}`\n- load after: `{uptime()}`\n")
    print("| metric | result |\n|---|---|")
    print(f"| {a.machines} creates, {a.connections} connections | {t_created:.1f} s ({a.machines / t_created:.0f}/s) |")
    print(f"| apiserver + etcd CPU | {srv1 - srv0:.1f} s ({(srv1 - srv0) / a.machines * 1000:.1f} ms/Machine) |")
    print(f"| failed creates | {len(failures)} |")
    return 0 if not failures else 1


def write_cost(a, env):
    """apiserver + etcd CPU per request for each write the controller can
    make, N of each on `connections` connections, no controller running:
    which form of the finalizer/status write is cheapest for the server."""
    objs = {}
    rows = []

    def measure(name, fn):
        c0, t0 = server_cpu(a.k8s_dir), time.monotonic()
        errors = []

        def guarded(api, i):
            try:
                fn(api, i)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        run_indexed(env, a.machines, a.connections, guarded)
        if errors:
            raise RuntimeError(f"{name}: {len(errors)} failed, first: {errors[0]}")
        cpu = server_cpu(a.k8s_dir) - c0
        rows.append((name, time.monotonic() - t0, cpu / a.machines * 1000))

    def path(i, sub=""):
        return f"{GROUP}/namespaces/{NS}/machines/m{i:06d}{sub}"

    def write(api, i, method, sub, body, ctype="application/json"):
        status, raw = api.call(method, path(i, sub), body, content_type=ctype)
        if status != 200:
            raise RuntimeError(f"HTTP {status} {raw[:200]}")
        objs[i] = json.loads(raw)

    def create(api, i):
        status, raw = api.call("POST", f"{GROUP}/namespaces/{NS}/machines", machine(i, a.racks, a.profiles))
        if status != 201:
            raise RuntimeError(f"HTTP {status} {raw[:200]}")
        objs[i] = json.loads(raw)

    def finalizer_patch(api, i):
        md = {"resourceVersion": objs[i]["metadata"]["resourceVersion"], "finalizers": ["rackboot.io/ip-release"]}
        write(api, i, "PATCH", "", {"metadata": md}, "application/merge-patch+json")

    def status_put(api, i):
        o = objs[i]
        o["metadata"].pop("managedFields", None)
        cond = {"type": "Assigned", "status": "True", "reason": "AllocatedFromPool", "message": "from the pool",
                "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1}
        o["status"] = {"observedGeneration": 1, "phase": "Assigned", "ipv4": f"10.1.{i // 250}.{i % 250}",
                       "conditions": [cond]}
        write(api, i, "PUT", "/status", o)

    def status_patch(api, i):
        md = {"resourceVersion": objs[i]["metadata"]["resourceVersion"]}
        write(api, i, "PATCH", "/status", {"metadata": md, "status": {"ipv4": f"10.2.{i // 250}.{i % 250}"}},
              "application/merge-patch+json")

    def event(api, i):
        ev = {"metadata": {"name": f"e{i}"}, "involvedObject": {"kind": "Machine", "name": f"m{i:06d}", "namespace": NS},
              "reason": "AllocatedFromPool", "message": "from the pool", "type": "Normal"}
        status, raw = api.call("POST", f"/api/v1/namespaces/{NS}/events", ev)
        if status != 201:
            raise RuntimeError(f"HTTP {status} {raw[:200]}")

    load = uptime()
    for name, fn in (("create Machine (POST)", create), ("finalizer (merge PATCH, resourceVersion)", finalizer_patch),
                     ("status (PUT /status, whole object)", status_put),
                     ("status (merge PATCH /status, resourceVersion)", status_patch), ("Event (POST)", event)):
        measure(name, fn)
    print("## apiserver cost per write (no controller)\n")
    print(f"- load before: `{load}`\n- load after: `{uptime()}`\n")
    print(f"| write ({a.machines} each, {a.connections} connections) | wall | apiserver + etcd CPU per write |")
    print("|---|---|---|")
    for name, wall, ms in rows:
        print(f"| {name} | {wall:.1f} s | {ms:.2f} ms |")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--controller", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--machines", type=int, default=10000)
    ap.add_argument("--racks", type=int, default=4)
    ap.add_argument("--profiles", type=int, default=3)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--change-seconds", type=float, default=20)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--write-cost", action="store_true", help="no controller: apiserver CPU per write kind")
    ap.add_argument("--create-only", action="store_true", help="no controller: the creation alone (apiserver floor)")
    ap.add_argument("--k8s-dir", help="testenv dir (apiserver/etcd pid files) for their CPU time")
    a = ap.parse_args()

    env = read_env(a.env)
    api = Api(env)
    load_before = uptime()
    status, raw = api.call("POST", "/api/v1/namespaces", {"metadata": {"name": NS}})
    if status not in (201, 409):
        raise RuntimeError(f"namespace: HTTP {status} {raw[:200]}")
    for p in range(a.profiles):
        prof = {
            "apiVersion": "rackboot.io/v1alpha1",
            "kind": "BootProfile",
            "metadata": {"name": f"profile-{p}", "namespace": NS},
            "spec": {"kernel": {"path": f"vmlinuz-{p}"}, "cmdline": "console=ttyS0"},
        }
        status, raw = api.call("POST", f"{GROUP}/namespaces/{NS}/bootprofiles", prof)
        if status != 201:
            raise RuntimeError(f"bootprofile: HTTP {status} {raw[:300]}")

    status, raw = api.call("GET", f"{GROUP}/namespaces/{NS}/machines?limit=1")
    watcher = Watcher(env, json.loads(raw)["metadata"]["resourceVersion"])
    watcher.start()

    if a.create_only:
        return create_only(a, env, watcher)
    if a.write_cost:
        return write_cost(a, env)
    cfg = os.path.join(a.work, "controller.yaml")
    with open(cfg, "w") as f:
        f.write(controller_config(env, a.racks))
    metrics = Metrics(env)
    m0 = metrics.scrape()
    clog = open(os.path.join(a.work, "controller.log"), "w")
    # BENCH_CONTROLLER_PREFIX: e.g. "perf record -g -o FILE --" (profiling;
    # the RSS reported is then the wrapper's).
    prefix = os.environ.get("BENCH_CONTROLLER_PREFIX", "").split()
    ctrl = subprocess.Popen(prefix + [a.controller, "--config", cfg], stdout=clog, stderr=subprocess.STDOUT)
    try:
        # Leading: the Lease exists and names a holder.
        def leading():
            s, r = api.call("GET", f"/apis/coordination.k8s.io/v1/namespaces/{NS}/leases/rackboot-controller")
            return s == 200 and json.loads(r).get("spec", {}).get("holderIdentity")

        wait_for(leading, 60, "controller leadership")
        time.sleep(0.5)  # the leader's initial list of zero Machines
        ctrl_start = proc_status(ctrl.pid)
        m1 = metrics.scrape()

        log(f"creating {a.machines} Machines over {a.connections} connections")
        srv0 = server_cpu(a.k8s_dir) if a.k8s_dir else 0.0
        t0 = time.monotonic()
        failures = create_all(env, a.machines, a.racks, a.profiles, a.connections)
        t_created = time.monotonic() - t0
        if failures:
            raise RuntimeError(f"{len(failures)} creates failed, first: {failures[0]}")
        log(f"created in {t_created:.1f}s; waiting for all Assigned")
        wait_for(lambda: len(watcher.assigned) >= a.machines, a.timeout, "all Assigned", watcher)
        with watcher.lock:
            t_assigned = max(watcher.assigned_at[(f"m{i:06d}", 1)] for i in range(a.machines)) - t0
        ctrl_after_create = proc_status(ctrl.pid)
        srv1 = server_cpu(a.k8s_dir) if a.k8s_dir else 0.0
        m2 = metrics.scrape()
        own_create = {("POST", "machines", ""): a.machines, ("GET", "leases", ""): 0}
        create_requests = Metrics.delta(m1, m2, own_create)
        load_mid = uptime()

        log(f"all Assigned at {t_assigned:.1f}s; change phase {a.rate}/s for {a.change_seconds}s")
        sent, lat, lost, behind = change_phase(env, watcher, a.machines, a.racks, a.rate, a.change_seconds)
        m3 = metrics.scrape()
        change_requests = Metrics.delta(m2, m3, {("PATCH", "machines", ""): sent})
        ctrl_end = proc_status(ctrl.pid)
        load_after = uptime()

        with watcher.lock:
            ips = [s[3] for s in watcher.state.values() if s[3]]
        dups = len(ips) - len(set(ips))
    finally:
        ctrl.send_signal(signal.SIGTERM)
        try:
            ctrl.wait(20)
        except subprocess.TimeoutExpired:
            ctrl.kill()
        clog.close()

    total_create = sum(create_requests.values())
    print("## Controller benchmark\n")
    print(f"- load before: `{load_before}`\n- load after create: `{load_mid}`\n- load after changes: `{load_after}`")
    print(f"- Machines: {a.machines} over {a.racks} racks / {a.profiles} profiles, creator connections: {a.connections}")
    print()
    print("| metric | result | target |\n|---|---|---|")
    print(f"| creation finished (creator, {a.connections} connections) | {t_created:.1f} s ({a.machines / t_created:.0f}/s) | - |")
    print(f"| all Assigned (from first create) | {t_assigned:.1f} s ({a.machines / t_assigned:.0f}/s) | < 60 s |")
    print(f"| controller lag after creation finished | {t_assigned - t_created:.1f} s | - |")
    print(f"| controller peak RSS (VmHWM) | {kb(ctrl_end.get('VmHWM')) / 1024:.0f} MiB | < 200 MB |")
    print(f"| controller CPU during create phase | {ctrl_after_create.get('cpu_s', 0) - ctrl_start.get('cpu_s', 0):.1f} s | - |")
    print(f"| apiserver + etcd CPU, create phase | {srv1 - srv0:.1f} s ({(srv1 - srv0) / a.machines * 1000:.1f} ms/Machine) | - |")
    print(f"| controller API requests, create phase | {total_create} ({total_create / a.machines:.2f}/Machine) | - |")
    print(f"| change -> Assigned at {a.rate:.0f}/s ({sent} rack moves) | p50 {pct(lat, 50) * 1000:.0f} ms, p99 {pct(lat, 99) * 1000:.0f} ms, max {max(lat) * 1000 if lat else float('nan'):.0f} ms | p99 < 1 s |")
    print(f"| changes not resolved within 120 s | {lost} | 0 |")
    print(f"| duplicate IPs | {dups} | 0 |")
    print()
    print("Controller API requests (apiserver_request_total deltas minus the bench's own):\n")
    print("| phase | verb | resource | subresource | count |\n|---|---|---|---|---|")
    for phase, d in (("create", create_requests), ("changes", change_requests)):
        for (verb, res, sub), v in sorted(d.items()):
            print(f"| {phase} | {verb} | {res} | {sub} | {v} |")
    print(f"\nBench watch reconnects: {watcher.reconnects} (each one WATCH request not subtracted above).")
    if behind > 1:
        print(f"\nNote: the change sender fell {behind:.1f} s behind its schedule.")
    ok = dups == 0 and lost == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
