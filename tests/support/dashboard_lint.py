#!/usr/bin/env python3
"""Lints a Grafana dashboard with the default rule set of Grafana's
dashboard linter (github.com/grafana/dashboard-linter), reimplemented here.

Why a reimplementation: the linter is published only as a Go module, and
the Go module proxy this project builds from refuses it (no version list,
and the exact commit asked for is "not available"): docs/metrics.md,
"Dashboard lint". The rules follow the linter's documented behaviour
(docs/rules/*.md there) rule by rule, under the same names, and read the
same `.lint` exclusion file beside the dashboard, so switching to the real
binary later changes the command, not the dashboard. Where the linter only
looks at some panel types, this checks every panel that has queries.

PromQL is parsed by the real Prometheus parser (`promtool check rules` on
the expanded expressions), not by a regex.

Usage:
  dashboard_lint.py DASHBOARD.json        lint; exit 1 on any error
  dashboard_lint.py --self-test           every rule must flag a broken
                                          dashboard (the lint can fail)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

# Grafana's unit ids (packages/grafana-data valueFormats) that suit this
# project's panels; an id outside the list is an error, as in the linter.
VALID_UNITS = {
    "none", "short", "string", "percent", "percentunit", "bool", "bytes", "decbytes", "bits", "decbits", "Bps",
    "bps", "binBps", "pps", "ns", "µs", "ms", "s", "m", "h", "d", "dtdurations", "dtdurationms", "hertz", "ops",
    "reqps", "rps", "wps", "iops", "cps", "opm", "rpm", "dateTimeAsIso", "dateTimeFromNow",
}
# Panels that run queries against the data source.
QUERY_PANELS = {"stat", "singlestat", "graph", "table", "timeseries", "gauge", "bargauge", "heatmap",
                "state-timeline", "status-history", "piechart"}
# Panels the panel-units-rule applies to (heatmap buckets, state timelines
# of 0/1 and bar gauges of counts carry their unit in the title).
UNIT_PANELS = {"stat", "singlestat", "graph", "table", "timeseries", "gauge"}
# Sample values for Grafana's global variables, as the linter substitutes them.
GLOBALS = {"__rate_interval": "8869990787ms", "__interval": "4867856611ms", "__range": "6069770749ms",
           "__interval_ms": "7781188786", "__range_ms": "6737667980", "__range_s": "9397795485"}
RATE_INTERVAL = GLOBALS["__rate_interval"]
VARIABLE = re.compile(r"\$([A-Za-z0-9_]+)|\$\{([^}]+)\}|\[\[([^\[\]]+)\]\]")


def panels_of(dashboard):
    """Every panel, including those nested in rows."""
    out = []
    for p in dashboard.get("panels", []):
        out.append(p)
        out.extend(p.get("panels", []))
    for r in dashboard.get("rows", []):
        out.extend(r.get("panels", []))
    return out


def variables_of(dashboard):
    return dashboard.get("templating", {}).get("list", [])


def var_query(v):
    q = v.get("query", "")
    return q.get("query", "") if isinstance(q, dict) else q


def sample_value(name, variables):
    """What the linter substitutes for a variable: a global's sample, the
    variable's current value, its first option, or its own name."""
    name = name.split(":", 1)[0]
    if name in GLOBALS:
        return GLOBALS[name]
    for v in variables:
        if v.get("name") != name:
            continue
        value = v.get("current", {}).get("value")
        if isinstance(value, list):
            value = value[0] if value else ""
        if value and value != "$__all":
            return expand(value, [w for w in variables if w.get("name") != name])
        if v.get("options"):
            return expand(v["options"][0].get("value", name), [w for w in variables if w.get("name") != name])
    return name


def expand(expr, variables):
    """Variables replaced outside double-quoted strings (inside them they
    are matcher values and stay as written)."""
    parts = expr.split('"')
    for i in range(0, len(parts), 2):
        parts[i] = VARIABLE.sub(lambda m: sample_value(next(g for g in m.groups() if g), variables), parts[i])
    return '"'.join(parts)


def promql_errors(exprs):
    """{expr: error} for the expressions the real Prometheus parser rejects
    (promtool check rules: all in one file, then one by one if it fails)."""
    def check(batch, path):
        with open(path, "w") as f:
            rules = [{"record": "lint:expr", "expr": e} for e in batch]
            yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}, f)
        r = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True)
        return None if r.returncode == 0 else (r.stdout + r.stderr).strip().splitlines()[-1]

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rules.yaml")
        if not exprs or check(exprs, path) is None:
            return {}
        errors = {e: check([e], path) for e in exprs}
    return {e: err for e, err in errors.items() if err}


def strip_strings(expr):
    """The expression with the contents of "..." strings blanked (so names
    inside matcher values are not taken for selectors)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def call_at(text, pos):
    """The function name whose opening parenthesis encloses pos, and the
    depth-1 range of that call, or (None, None)."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        c = text[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", text[:i])
                return (m.group(1) if m else None), i
            depth -= 1
    return None, None


def rate_interval_problems(expr):
    """target-rate-interval-rule: the range of every rate()/irate() is
    $__rate_interval (expanded: its sample duration)."""
    out = []
    text = strip_strings(expr)
    for m in re.finditer(r"\[([^\]]*)\]", text):
        func, _ = call_at(text, m.start())
        if func in ("rate", "irate") and m.group(1) != RATE_INTERVAL:
            out.append(f"{func}() over [{m.group(1)}]: should use $__rate_interval")
    return out


KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
            "group_right", "inf", "nan", "atan2"}


def selectors(expr):
    """[(metric name or "", matcher text, end offset in the stripped
    text)] for every vector selector: a metric name with optional {...},
    or a bare {...}. Function names, keywords and grouping label lists are
    not selectors."""
    text = strip_strings(expr)
    # Grouping label lists are label names, not selectors; blank them
    # keeping offsets.
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)(\s*\()([^)]*)\)",
                  lambda m: m.group(1) + m.group(2) + " " * len(m.group(3)) + ")", text)
    # Ranges and subqueries ([5m], [$__rate_interval], [1h:1m]) likewise.
    text = re.sub(r"\[[^\]]*\]", lambda m: "[" + " " * (len(m.group(0)) - 2) + "]", text)
    out = []
    for m in re.finditer(r"(?<![A-Za-z0-9_:.$])([A-Za-z_:][A-Za-z0-9_:]*)?(\s*\{[^}]*\})?", text):
        name, braces = m.group(1), m.group(2)
        if not name and not braces:
            continue
        if name and not braces and (name in KEYWORDS or text[m.end():].lstrip().startswith("(")):
            continue
        if name and re.fullmatch(r"\d+(ms|s|m|h|d|w|y)", name or ""):
            continue
        out.append((name or "", braces or "", m.start(), m.end(), text))
    return out


def counter_problems(expr):
    """target-counter-agg-rule: a counter (a name ending in _total) is only
    read through rate(), irate() or increase() over a range."""
    out = []
    for name, _, start, end, text in selectors(expr):
        if not name.endswith("_total"):
            continue
        func, _ = call_at(text, start)
        if not text[end:].lstrip().startswith("[") or func not in ("rate", "irate", "increase"):
            out.append(f"counter metric '{name}' is not aggregated with rate, irate, or increase")
    return out


def selector_labels(expr):
    """Label names matched in each selector."""
    return [re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", braces) for _, braces, _, _, _ in selectors(expr)]


def lint(dashboard):
    """[(rule, where, message)]."""
    found = []
    title = dashboard.get("title", "")
    variables = variables_of(dashboard)

    def add(rule, where, msg):
        found.append((rule, where, msg))

    # template-datasource-rule
    ds_vars = [v for v in variables if v.get("type") == "datasource"]
    if not ds_vars:
        add("template-datasource-rule", {"dashboard": title}, "no templated data source")
    for v in ds_vars:
        names = {f"{v.get('query', '').lower()}_datasource"} | ({"datasource"} if len(ds_vars) == 1 else set())
        labels = {f"{v.get('query', '').title()} data source"} | ({"Data source"} if len(ds_vars) == 1 else set())
        if v.get("name") not in names:
            add("template-datasource-rule", {"dashboard": title}, f"data source variable named '{v.get('name')}'")
        if v.get("label") not in labels:
            add("template-datasource-rule", {"dashboard": title}, f"data source variable labeled '{v.get('label')}'")
    prometheus = any(v.get("query") == "prometheus" for v in ds_vars)

    # template-job-rule, template-instance-rule
    for label in ("job", "instance"):
        if prometheus and not any(v.get("name") == label for v in variables):
            add(f"template-{label}-rule", {"dashboard": title}, f"no '{label}' template variable")

    # template-label-promql-rule, template-on-time-change-reload-rule
    queries = {}
    for v in variables:
        if v.get("type") != "query":
            continue
        q = var_query(v)
        m = re.fullmatch(r"\s*([a-z_]+)\((.+)\)\s*", q)
        if not m or m.group(1) not in ("label_names", "label_values", "metrics", "query_result"):
            add("template-label-promql-rule", {"dashboard": title}, f"variable '{v.get('name')}': invalid query {q!r}")
        else:
            arg = m.group(2)
            if m.group(1) == "label_values":  # label_values(selector, label)
                sel, _, label = arg.rpartition(",")
                if not re.fullmatch(r"\s*[A-Za-z_][A-Za-z0-9_]*\s*", label) or not sel.strip():
                    add("template-label-promql-rule", {"dashboard": title},
                        f"variable '{v.get('name')}': label_values needs (selector, label): {q!r}")
                arg = sel
            if arg.strip():
                queries[expand(arg, variables)] = ("template-label-promql-rule", {"dashboard": title},
                                                   f"variable '{v.get('name')}'")
        if v.get("refresh") != 2:
            add("template-on-time-change-reload-rule", {"dashboard": title},
                f"variable '{v.get('name')}' refresh is {v.get('refresh')}, should be 2 (on time range change)")

    ds_uids = {f"${v.get('name')}" for v in ds_vars} | {f"${{{v.get('name')}}}" for v in ds_vars}
    for p in panels_of(dashboard):
        ptype, ptitle = p.get("type"), p.get("title", "")
        where = {"dashboard": title, "panel": ptitle}
        if ptype not in QUERY_PANELS:
            continue
        # panel-datasource-rule
        ds = p.get("datasource")
        uid = ds.get("uid") if isinstance(ds, dict) else ds
        if uid not in ds_uids:
            add("panel-datasource-rule", where, f"does not use a templated data source, uses {uid!r}")
        # panel-title-description-rule
        if not ptitle or not p.get("description"):
            add("panel-title-description-rule", where, "missing title or description")
        # panel-units-rule
        if ptype in UNIT_PANELS and not p.get("fieldConfig", {}).get("defaults", {}).get("mappings"):
            unit = p.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
            for o in p.get("fieldConfig", {}).get("overrides", []):
                for prop in o.get("properties", []):
                    if prop.get("id") == "unit":
                        unit = prop.get("value", "")
            if unit not in VALID_UNITS:
                add("panel-units-rule", where, f"no or invalid unit: {unit!r}")
        # panel-no-targets-rule
        targets = p.get("targets", [])
        if not targets:
            add("panel-no-targets-rule", where, "no targets")
        for idx, t in enumerate(targets):
            expr = t.get("expr", "")
            twhere = dict(where, targetIdx=idx)
            if not expr:
                add("target-promql-rule", twhere, "empty query")
                continue
            expanded = expand(expr, variables)
            queries[expanded] = ("target-promql-rule", twhere, f"{expr!r}")
            for msg in rate_interval_problems(expanded):
                add("target-rate-interval-rule", twhere, f"{expr!r}: {msg}")
            for msg in counter_problems(expanded):
                add("target-counter-agg-rule", twhere, f"{expr!r}: {msg}")
            for label in ("job", "instance"):
                if prometheus and any(label not in s for s in selector_labels(expr)):
                    add(f"target-{label}-rule", twhere, f"{expr!r}: a selector without a {label} matcher")
    # target-promql-rule (and variable queries): the real parser
    for q, err in promql_errors(list(queries)).items():
        rule, where, what = queries[q]
        add(rule, where, f"{what} does not parse: {err}")
    return found


def load_exclusions(dashboard_path):
    """The linter's .lint file beside the dashboard: {rule: entries or None
    (the whole rule)}; every exclusion must give a reason."""
    path = os.path.join(os.path.dirname(os.path.abspath(dashboard_path)), ".lint")
    if not os.path.exists(path):
        return {}
    cfg = yaml.safe_load(open(path)) or {}
    out = {}
    for rule, spec in (cfg.get("exclusions") or {}).items():
        if not spec or not spec.get("reason"):
            raise SystemExit(f"{path}: exclusion of {rule} has no reason")
        out[rule] = spec.get("entries")
    return out


def excluded(exclusions, rule, where):
    if rule not in exclusions:
        return False
    entries = exclusions[rule]
    if not entries:
        return True
    return any(all(where.get(k) == v for k, v in e.items()) for e in entries)


def self_test():
    """A dashboard that breaks every rule once; each rule must report it."""
    bad = {
        "title": "broken",
        "templating": {"list": [
            {"name": "ds", "label": "DS", "type": "datasource", "query": "prometheus"},
            {"name": "rack", "type": "query", "query": "label_vals(up, rack)", "refresh": 1},
            {"name": "stage", "type": "query", "query": "label_values(up{, stage)", "refresh": 2},
        ]},
        "panels": [
            {"type": "timeseries", "title": "a", "datasource": {"type": "prometheus", "uid": "prom-1"},
             "fieldConfig": {"defaults": {"unit": "furlongs"}},
             "targets": [{"expr": "rate(x_total[5m])"}, {"expr": "sum(x_total)"}, {"expr": "sum(rate(y[1m]"},
                         {"expr": ""}]},
            {"type": "stat", "title": "b", "description": "d", "datasource": {"uid": "${ds}"}, "targets": []},
        ],
    }
    want = {"template-datasource-rule", "template-job-rule", "template-instance-rule", "template-label-promql-rule",
            "template-on-time-change-reload-rule", "panel-datasource-rule", "panel-title-description-rule",
            "panel-units-rule", "panel-no-targets-rule", "target-promql-rule", "target-rate-interval-rule",
            "target-counter-agg-rule", "target-job-rule", "target-instance-rule"}
    got = {rule for rule, _, _ in lint(bad)}
    for rule in sorted(want):
        print(f"{'ok  ' if rule in got else 'FAIL'} {rule} flags the broken dashboard")
    # And a clean one passes: $__rate_interval, a counter under increase,
    # a gauge read directly, a label_values variable.
    good = {
        "title": "good",
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus"},
            {"name": "job", "type": "query", "query": "label_values(up, job)", "refresh": 2},
            {"name": "instance", "type": "query", "query": "label_values(up{job=~\"$job\"}, instance)", "refresh": 2},
        ]},
        "panels": [{"type": "timeseries", "title": "t", "description": "d",
                    "datasource": {"uid": "${datasource}"}, "fieldConfig": {"defaults": {"unit": "ops"}},
                    "targets": [{"expr": "sum(rate(x_total{job=~\"$job\",instance=~\"$instance\"}[$__rate_interval]))"},
                                {"expr": "increase(x_total{job=~\"$job\",instance=~\"$instance\"}[$__range])"},
                                {"expr": "max(g{job=~\"$job\",instance=~\"$instance\"})"}]}],
    }
    clean = lint(good)
    for rule, where, msg in clean:
        print(f"FAIL clean dashboard flagged: {rule} {where} {msg}")
    return 0 if want <= got and not clean else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dashboard", nargs="?")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.dashboard:
        ap.error("a dashboard or --self-test")
    dashboard = json.load(open(args.dashboard))
    exclusions = load_exclusions(args.dashboard)
    errors = 0
    for rule, where, msg in lint(dashboard):
        if excluded(exclusions, rule, where):
            continue
        errors += 1
        print(f"[error] {rule}: {where}: {msg}")
    panels = [p for p in panels_of(dashboard) if p.get("type") in QUERY_PANELS]
    targets = sum(len(p.get("targets", [])) for p in panels)
    print(f"{args.dashboard}: {len(panels)} panels, {targets} targets, {errors} errors "
          f"(excluded rules: {', '.join(sorted(exclusions)) or 'none'})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
