"""An image as a docker-archive written byte by byte: its ID follows from its inputs alone.

`docker load` (20.10) and `podman load` (4.3) keep an image's ID as the SHA-256 of its config's
exact bytes. `config_bytes()` writes the config canonically (sorted keys, no spaces, ASCII),
with a fixed `created` and nothing of the host (no container, docker_version or path), and
`rootfs.diff_ids` the SHA-256 of each layer tar (mlpbench.study.layers). `write()` packs
manifest.json, the config and the layers into a tar under the same rules as a layer, gzipped
with no name and no date; `read()` checks one without a daemon: the config's digest, each
layer's against its diff_id, as many layers as diff_ids.
"""

import datetime
import gzip
import hashlib
import json
import tarfile
from pathlib import Path

from mlpbench.study.layers import SOURCE_DATE_EPOCH, Entry, write_layer

CHUNK = 1 << 20


def created(epoch=SOURCE_DATE_EPOCH):
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def config_bytes(diff_ids, history, env, labels, entrypoint=("mlpbench",), cmd=("list",),
                 user="10001:10001", workdir="/home/mlpbench", epoch=SOURCE_DATE_EPOCH):
    """The image config, canonical: the same arguments give the same bytes."""
    when = created(epoch)
    config = {
        "architecture": "amd64", "os": "linux", "created": when,
        "config": {"Env": list(env), "Entrypoint": list(entrypoint), "Cmd": list(cmd),
                   "User": user, "WorkingDir": workdir, "Labels": dict(labels)},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": [{"created": when, "created_by": line} for line in history],
    }
    return json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def image_id(config):
    return "sha256:" + hashlib.sha256(config).hexdigest()


def _hex(digest):
    return digest.removeprefix("sha256:")


def write(layer_paths, config, tags, out, epoch=SOURCE_DATE_EPOCH):
    """The docker-archive of the config and its layers (in the config's order), gzipped at
    out; the image ID."""
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    if len(diff_ids) != len(layer_paths):
        raise ValueError(f"{len(layer_paths)} layers for {len(diff_ids)} diff_ids")
    ident = image_id(config)
    manifest = [{"Config": f"{_hex(ident)}.json", "RepoTags": list(tags),
                 "Layers": [f"{_hex(d)}/layer.tar" for d in diff_ids]}]
    entries = [Entry("manifest.json", "file", 0o644, mtime=epoch,
                     data=json.dumps(manifest, separators=(",", ":")).encode()),
               Entry(f"{_hex(ident)}.json", "file", 0o644, mtime=epoch, data=config)]
    entries += [Entry(f"{_hex(d)}/layer.tar", "file", 0o644, mtime=epoch, data=str(p))
                for d, p in zip(diff_ids, layer_paths, strict=True)]
    inner = Path(str(out) + ".tar")
    write_layer(entries, inner)
    with open(inner, "rb") as src, open(out, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            gz.write(chunk)
    inner.unlink()
    return ident


def read(path):
    """(image ID, diff_ids, tags) of a docker-archive (gzipped or not), every digest checked;
    ValueError naming the first that does not match."""
    with tarfile.open(path) as tar:
        [manifest] = json.load(tar.extractfile("manifest.json"))
        config = tar.extractfile(manifest["Config"]).read()
        ident = image_id(config)
        if manifest["Config"] != f"{_hex(ident)}.json":
            raise ValueError(f"{path}: config {manifest['Config']} has digest {ident}")
        diff_ids = json.loads(config)["rootfs"]["diff_ids"]
        if len(diff_ids) != len(manifest["Layers"]):
            raise ValueError(f"{path}: {len(manifest['Layers'])} layers, "
                             f"{len(diff_ids)} diff_ids")
        for layer, diff_id in zip(manifest["Layers"], diff_ids, strict=True):
            digest = hashlib.sha256()
            f = tar.extractfile(layer)
            for chunk in iter(lambda: f.read(CHUNK), b""):  # noqa: B023 (consumed here)
                digest.update(chunk)
            if "sha256:" + digest.hexdigest() != diff_id:
                raise ValueError(f"{path}: layer {layer} is not {diff_id}")
    return ident, diff_ids, manifest.get("RepoTags") or []
