#!/usr/bin/env python3
"""Writes a one-layer OCI image archive (image-spec v1.0 layout in a tar).

The archive holds oci-layout, index.json, and blobs/sha256/<digest> for the
gzip layer, the config and the manifest. index.json names the image twice:
io.containerd.image.name (what `ctr images import` tags it as) and
org.opencontainers.image.ref.name (what `podman load` tags it as). Nothing
depends on the time of the build: the same layer gives the same digests.
"""
import argparse
import gzip
import hashlib
import json
import os
import shutil
import tarfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def put_blob(blobs, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layer", required=True, help="uncompressed layer tar")
    ap.add_argument("--name", required=True, help="full image name, e.g. docker.io/rackboot/bootd:dev")
    ap.add_argument("--entrypoint", required=True, help="JSON list")
    ap.add_argument("--cmd", required=True, help="JSON list")
    ap.add_argument("--user", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()

    if os.path.exists(a.work):
        shutil.rmtree(a.work)
    blobs = os.path.join(a.work, "blobs", "sha256")
    os.makedirs(blobs)

    diff_id = "sha256:" + sha256_file(a.layer)
    gz_tmp = os.path.join(a.work, "layer.tar.gz")
    with open(a.layer, "rb") as src, open(gz_tmp, "wb") as raw:
        # mtime=0 and no file name: the compressed digest is reproducible.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            shutil.copyfileobj(src, gz, 1 << 20)
    layer_digest = sha256_file(gz_tmp)
    layer_size = os.path.getsize(gz_tmp)
    os.rename(gz_tmp, os.path.join(blobs, layer_digest))

    config = {
        "created": "1970-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "User": a.user,
            "Entrypoint": json.loads(a.entrypoint),
            "Cmd": json.loads(a.cmd),
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "scripts/images/build"}],
    }
    cfg_digest, cfg_size = put_blob(blobs, json.dumps(config, sort_keys=True).encode())

    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": cfg_size},
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "sha256:" + layer_digest,
            "size": layer_size,
        }],
    }
    man_digest, man_size = put_blob(blobs, json.dumps(manifest, sort_keys=True).encode())

    index = {
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": man_digest,
            "size": man_size,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {
                "io.containerd.image.name": a.name,
                "org.opencontainers.image.ref.name": a.name,
            },
        }],
    }
    with open(os.path.join(a.work, "index.json"), "w") as f:
        json.dump(index, f, sort_keys=True)
    with open(os.path.join(a.work, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)

    tmp = a.out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as t:
        for rel in ["oci-layout", "index.json", "blobs"]:
            def fixed(ti):
                ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 0, 0, 0, "", ""
                return ti
            t.add(os.path.join(a.work, rel), arcname=rel, filter=fixed)
    os.replace(tmp, a.out)
    shutil.rmtree(a.work)


if __name__ == "__main__":
    main()
