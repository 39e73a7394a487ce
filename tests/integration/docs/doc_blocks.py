#!/usr/bin/env python3
"""The code blocks of the operator docs that a test runs.

A block is marked by an HTML comment on the line before its fence (not
shown by Markdown renderers):

    <!-- doc-test: KIND [key=value ...] -->
    ```yaml
    ...
    ```

KIND is one of
  sh           shell commands, run in order against the test kube-apiserver
               (options: nodes=a,b  Node objects the block expects)
  helm-values  values for helm/rackboot (lint, template, config loaders)
  manifests    Kubernetes YAML (kubectl apply --dry-run=server)
  bootd-config a bootd.yaml (bootd --check-config in a network namespace;
               options: iface=NAME addr=CIDR, the host it is written for;
               manifests=FILE, a block whose file= goes into manifestDir)
and file=NAME (any kind) also writes the block to NAME in the work
directory, where later sh blocks of the same run find it.

  doc_blocks.py extract OUT_DIR DOC...
      writes OUT_DIR/NNN.block per marked block and prints one line per
      block: DOC<TAB>LINE<TAB>KIND<TAB>OPTIONS (space separated, - if
      none)<TAB>PATH.
      A marker without a fence after it, an unknown kind or option, or a
      document without any marked block is an error naming file and line.
  doc_blocks.py relocate CONFIG ROOT
      rewrites the absolute directory and file paths of a bootd config
      (except /usr/..., which packages provide) to ROOT/<path>, in place and
      line for line (the line numbers of bootd's messages stay the doc's),
      and creates the directories.
  doc_blocks.py chart-defaults VALUES DOC...
      every "`key` (value)" in the docs whose key is a value of the chart
      (controller.grpcPort) or of bootd's config the chart sets (tftp.listen
      = bootd.config.tftp.listen) must name the chart's default: the port
      table cannot drift from the chart.
"""
import os
import re
import sys

KINDS = {
    "sh": {"nodes", "file"},
    "helm-values": {"file"},
    "manifests": {"file"},
    "bootd-config": {"iface", "addr", "manifests", "file"},
}
MARKER = re.compile(r"^<!--\s*doc-test:\s*(\S+)((?:\s+[\w-]+=\S+)*)\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)")


def fail(msg):
    sys.stderr.write("doc_blocks: " + msg + "\n")
    sys.exit(1)


def extract(out_dir, docs):
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            lines = f.read().split("\n")
        found = 0
        i = 0
        while i < len(lines):
            line = lines[i]
            if "doc-test" in line and line.lstrip().startswith("<!--"):
                m = MARKER.match(line.strip())
                if not m:
                    fail(f"{doc}:{i + 1}: malformed marker: {line.strip()}")
                kind = m.group(1)
                if kind not in KINDS:
                    fail(f"{doc}:{i + 1}: unknown doc-test kind '{kind}' (known: {', '.join(sorted(KINDS))})")
                opts = m.group(2).split()
                for o in opts:
                    if o.split("=", 1)[0] not in KINDS[kind]:
                        fail(f"{doc}:{i + 1}: option '{o}' is not one of {sorted(KINDS[kind])} for {kind}")
                if i + 1 >= len(lines) or not FENCE.match(lines[i + 1]):
                    fail(f"{doc}:{i + 1}: marker not followed by a code fence on the next line")
                fence = FENCE.match(lines[i + 1]).group(1)
                body = []
                j = i + 2
                while j < len(lines) and not lines[j].startswith(fence):
                    body.append(lines[j])
                    j += 1
                if j >= len(lines):
                    fail(f"{doc}:{i + 2}: code fence never closed")
                n += 1
                found += 1
                path = os.path.join(out_dir, f"{n:03d}.block")
                with open(path, "w", encoding="utf-8") as out:
                    out.write("\n".join(body) + "\n")
                # The block's first line is the doc line after the fence.
                # "-" for no options: read's IFS would merge two tabs.
                print(f"{doc}\t{i + 3}\t{kind}\t{' '.join(opts) or '-'}\t{path}")
                i = j
            i += 1
        if found == 0:
            fail(f"{doc}: no marked block (<!-- doc-test: KIND -->): nothing of it would be tested")


DIR_KEYS = ("stateDir", "manifestDir", "root", "artifactRoot", "artifactCacheDir")
FILE_KEYS = ("path", "tlsCertFile", "tlsKeyFile", "caFile", "certFile", "keyFile")


def relocate(config, root):
    keys = "|".join(DIR_KEYS + FILE_KEYS)
    pattern = re.compile(r"^(\s*(?:" + keys + r"):\s*)(/\S*)(.*)$")
    out = []
    with open(config, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            m = pattern.match(line)
            if m and not m.group(2).startswith("/usr/"):
                key = m.group(1).strip().rstrip(":").strip()
                moved = root.rstrip("/") + m.group(2)
                os.makedirs(moved if key in DIR_KEYS else os.path.dirname(moved), exist_ok=True)
                line = m.group(1) + moved + m.group(3)
            out.append(line)
    with open(config, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def chart_defaults(values_file, docs):
    """Every "`key` (default)" in the docs whose key is a chart value
    (controller.grpcPort) or a bootd setting the chart sets
    (bootd.config.<key>, e.g. tftp.listen) must say the chart's default."""
    import yaml
    with open(values_file, encoding="utf-8") as f:
        values = yaml.safe_load(f)

    def lookup(key):
        for root in (values, values.get("bootd", {}).get("config", {})):
            node = root
            for part in key.split("."):
                if not isinstance(node, dict) or part not in node:
                    node = None
                    break
                node = node[part]
            if node is not None and not isinstance(node, (dict, list)):
                return str(node)
        return None

    mention = re.compile(r"`([A-Za-z][\w.]*)` \((`?)([^)`]+)\2\)")
    checked = 0
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                for m in mention.finditer(line):
                    want = lookup(m.group(1))
                    if want is None:
                        continue
                    checked += 1
                    if m.group(3) != want:
                        fail(f"{doc}:{n}: says `{m.group(1)}` ({m.group(3)}), the chart's default is {want}")
                    print(f"{doc}:{n}: {m.group(1)} = {want}")
    if checked == 0:
        fail("no chart default named in " + " ".join(docs))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "extract":
        extract(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 4 and sys.argv[1] == "relocate":
        relocate(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "chart-defaults":
        chart_defaults(sys.argv[2], sys.argv[3:])
    else:
        fail("usage: doc_blocks.py extract OUT_DIR DOC... | relocate CONFIG ROOT | chart-defaults VALUES DOC...")


if __name__ == "__main__":
    main()
