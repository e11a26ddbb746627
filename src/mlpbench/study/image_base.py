"""The base an image builds on: the registry's Python image (pinned in docker/Dockerfile), or
one made from Debian's archive by docker/build-base.sh where no registry answers (`auto` tries
the registry first). The workflow's image_base rule records the choice in a small JSON.
"""

import re
import subprocess
from pathlib import Path

from mlpbench.measure.records import write_atomic
from mlpbench.study.docker import image_inspect
from mlpbench.study.image_archive import sha256_file
from mlpbench.study.images import DOCKERFILE, log, run

BUILD_BASE = "docker/build-base.sh"  # in the tree the workflow runs in
DEBOOTSTRAP_TAG = "mlpbench/base:bookworm-debootstrap"
BASE_MODES = ("auto", "registry", "debootstrap")


def default_base(dockerfile):
    """The BASE_IMAGE default that docker/Dockerfile pins (tag@sha256:digest)."""
    m = re.search(r"^ARG BASE_IMAGE=(\S+)$", Path(dockerfile).read_text(), re.M)
    if not m:
        raise SystemExit(f"{dockerfile}: no `ARG BASE_IMAGE=` line")
    return m.group(1)


def pull(ref):
    log(f"$ docker pull {ref}")
    proc = subprocess.run(["docker", "pull", ref], capture_output=True, text=True)
    if proc.returncode != 0:
        log(proc.stderr.strip())
    return proc.returncode == 0


def debootstrap_base(repo, tag=DEBOOTSTRAP_TAG, manifest=None, rebuild=False):
    """The Debian-built base (repo's docker/build-base.sh): reuse the tagged one (and its
    package list) unless rebuild."""
    manifest = Path(manifest).resolve() if manifest else None
    if manifest:
        manifest.parent.mkdir(parents=True, exist_ok=True)
    if rebuild or image_inspect(tag) is None or (manifest and not manifest.exists()):
        args = [Path(repo) / BUILD_BASE, tag] + ([manifest] if manifest else [])
        run(["bash", *args])
    return image_inspect(tag)


def resolve_base(mode, out, repo):
    """Choose the base for the tree at repo and record the choice in `out` (JSON). Returns the
    record."""
    if mode not in BASE_MODES:
        raise SystemExit(f"base: {mode!r} is not one of {', '.join(BASE_MODES)}")
    out = Path(out)
    registry_ref = default_base(Path(repo) / DOCKERFILE)
    record = {"requested": mode, "registry_ref": registry_ref}
    if mode in ("auto", "registry") and pull(registry_ref):
        record.update(used="registry", image=registry_ref, image_id=image_inspect(registry_ref))
    elif mode == "registry":
        raise SystemExit(f"base: registry requested, but `docker pull {registry_ref}` failed")
    else:
        if mode == "auto":
            log("base: the registry did not answer; building the base from Debian's archive")
        manifest = out.with_name(out.stem + ".packages.txt")
        image_id = debootstrap_base(repo, manifest=manifest)
        # FROM takes the tag (BuildKit cannot build FROM a bare image ID); the ID pins it here
        record.update(used="debootstrap", image=DEBOOTSTRAP_TAG, image_id=image_id,
                      tag=DEBOOTSTRAP_TAG, packages=manifest.name,
                      packages_sha256=sha256_file(manifest))
    log(f"base: using the {record['used']} base {record['image']}")
    write_atomic(record, out)
    return record
